// The scripted chat model lives in src/testing so the exported channel contract can use it.
export * from "../../src/testing/scripted-model.ts";
