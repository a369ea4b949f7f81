import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { runStoreContract } from "../src/testing/contracts/store.ts";
import { openStore } from "../src/store/store.ts";
import { tempDir } from "./helpers.ts";

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

runStoreContract("sqlite", () => openStore(`sqlite://${join(dir.path, "contract.sqlite")}`), { durable: true });
