/**
 * `npm run knowledge:check`: validates knowledge/ and prompts/ (schemas, every wording and vocabulary file,
 * citations, contacts, facts,
 * self-retrieval of every card question), prints the coverage and writes
 * knowledge/COVERAGE.md. Exits non-zero when anything is wrong.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { loadConfig } from "../config.ts";
import { checkKnowledge, coverageMarkdown } from "../knowledge/check.ts";
import { checkDataFiles } from "../data-files.ts";
import { KnowledgeRetriever } from "../retrieval/retriever.ts";
import { openIndex } from "../retrieval/vector-index.ts";

async function main(): Promise<void> {
  const config = loadConfig();
  // A throwaway index: checking must not depend on (or disturb) the running assistant's data.
  const index = await openIndex({ knowledgeDir: config.KNOWLEDGE_DIR, promptsDir: config.PROMPTS_DIR, dataDir: await mkdtemp(join(tmpdir(), "xkld-check-")) });
  const retriever = KnowledgeRetriever.fromIndex(index);
  const result = await checkKnowledge(index.kb, async (q, k) => (await retriever.search(q, k)).map((h) => h.key));
  // Wording and vocabulary: a missing file or key fails here, not in a conversation.
  result.errors.push(...checkDataFiles(index.kb, config.PROMPTS_DIR));
  const report = coverageMarkdown(result, index.kb);
  await writeFile(join(config.KNOWLEDGE_DIR, "COVERAGE.md"), report);
  process.stdout.write(report);
  if (result.errors.length) {
    process.stderr.write(`\n${result.errors.length} problem(s):\n${result.errors.map((e) => `  - ${e}`).join("\n")}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write("\nknowledge:check passed\n");
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
