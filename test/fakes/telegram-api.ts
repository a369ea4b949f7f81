// The fake Bot API lives in src/testing so `npm run load` can use it too.
export * from "../../src/testing/fake-telegram-api.ts";
