/** `npm run ingest`: validates the knowledge, rebuilds the index and shows progress. */
import { loadConfig } from "../config.ts";
import { openIndex } from "../retrieval/vector-index.ts";

async function main(): Promise<void> {
  const config = loadConfig();
  const started = performance.now();
  let lastPct = -1;
  const index = await openIndex({
    knowledgeDir: config.KNOWLEDGE_DIR,
    dataDir: config.DATA_DIR,
    rebuild: true,
    onProgress: ({ stage, done, total }) => {
      const pct = total ? Math.floor((done / total) * 100) : 100;
      if (stage === "embed" && pct !== lastPct) {
        lastPct = pct;
        process.stdout.write(`\rEmbedding ${done}/${total} chunks (${pct}%)`);
      } else if (stage === "fit") process.stdout.write(`Fitting term weights on ${total} chunks\n`);
      else if (stage === "saved") process.stdout.write("\n");
    },
  });
  const { kb } = index;
  process.stdout.write(
    `Indexed ${index.chunks.length} chunks from ${kb.sources.length} sources and ${kb.cards.length} cards ` +
      `in ${Math.round(performance.now() - started)} ms → ${config.DATA_DIR}/index\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
