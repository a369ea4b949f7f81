/**
 * Builds the search index over the real knowledge once per `npm test` run, in a folder
 * every test file then loads read-only (`sharedDataDir()` in helpers.ts). Building takes
 * about 3 s; loading under one, so two dozen files no longer each build their own.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { openIndex } from "../src/retrieval/vector-index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A data folder holding the index of the real knowledge; never write into it. */
    indexDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), "xkld-shared-index-"));
  const knowledgeDir = fileURLToPath(new URL("../knowledge", import.meta.url));
  await openIndex({ knowledgeDir, dataDir: dir });
  project.provide("indexDir", dir);
  return () => rm(dir, { recursive: true, force: true });
}
