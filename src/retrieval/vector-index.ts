/**
 * Builds, saves and loads the HNSWLib vector index over the knowledge chunks.
 *
 * The index lives in `<dataDir>/index/` with the keyword index (`keyword.json`) and a
 * manifest (embedding version, dimensions, feature weights, idf table, vocabulary,
 * knowledge content hash). `openIndex` loads it
 * when the manifest matches the knowledge files on disk and rebuilds it otherwise, so
 * editing a card is enough — no manual step. `npm run ingest` forces a rebuild.
 *
 * @example
 * const index = await openIndex({ knowledgeDir: "knowledge", dataDir: "data" });
 * const hits = await index.store.similaritySearchVectorWithScore(vector, 10);
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { chunkKnowledge, type Chunk } from "../knowledge/chunk.ts";
import { loadKnowledge, type KnowledgeBase } from "../knowledge/load.ts";
import { EMBEDDING_VERSION, FEATURE_WEIGHTS, LexicalEmbeddings } from "./embeddings.ts";
import { buildKeywordIndex, loadKeywordIndex, type KeywordIndex } from "./keyword-index.ts";
import { CorpusStats } from "./corpus.ts";

export const DEFAULT_DIMS = 2048;
/** Search breadth; hnswlib does not save it, so it is set after every load. */
export const SEARCH_EF = 64;

export interface IndexManifest {
  embedding: string;
  dims: number;
  weights: typeof FEATURE_WEIGHTS;
  contentHash: string;
  chunkCount: number;
  docCount: number;
  builtAt: string;
  idf: Record<string, number>;
  vocabulary: Record<string, number>;
}

export interface KnowledgeIndex {
  kb: KnowledgeBase;
  chunks: Chunk[];
  byChunkId: Map<string, Chunk>;
  store: HNSWLib;
  embeddings: LexicalEmbeddings;
  /** BM25 keyword index over the same chunks. */
  keyword: KeywordIndex;
  /** How rare each word is in the knowledge, and which words exist (coverage, keyword choice, spelling). */
  stats: CorpusStats;
  manifest: IndexManifest;
  /** True when this call built the index rather than loading it. */
  rebuilt: boolean;
}

export interface OpenIndexOptions {
  knowledgeDir: string;
  dataDir: string;
  /** The wording folder (default: `prompts` beside the knowledge folder). */
  promptsDir?: string;
  /** Rebuild even when the saved index is current. */
  rebuild?: boolean;
  dims?: number;
  onProgress?: (event: { stage: string; done: number; total: number }) => void;
}

function manifestMatches(m: IndexManifest | undefined, kb: KnowledgeBase, dims: number): m is IndexManifest {
  return (
    !!m &&
    m.embedding === EMBEDDING_VERSION &&
    m.dims === dims &&
    m.contentHash === kb.contentHash &&
    JSON.stringify(m.weights) === JSON.stringify(FEATURE_WEIGHTS)
  );
}

async function readManifest(dir: string): Promise<IndexManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as IndexManifest;
  } catch {
    return undefined;
  }
}

/** Embeds and indexes chunks in memory (no disk). */
export async function buildStore(
  chunks: Chunk[],
  embeddings: LexicalEmbeddings,
  onProgress?: OpenIndexOptions["onProgress"],
): Promise<HNSWLib> {
  const store = new HNSWLib(embeddings, { space: "cosine", numDimensions: embeddings.dims });
  const batch = 200;
  for (let i = 0; i < chunks.length; i += batch) {
    const slice = chunks.slice(i, i + batch);
    // Embed the search text (headings + body), not just the displayed body. A card's
    // questions are written the way people type, so they get the query-side expansion.
    const vectors = slice.map((c) => embeddings.embedText(c.metadata.searchText, c.metadata.kind === "card_question"));
    await store.addVectors(vectors, slice);
    onProgress?.({ stage: "embed", done: Math.min(i + batch, chunks.length), total: chunks.length });
  }
  store.index.setEf(SEARCH_EF);
  return store;
}

export async function openIndex(options: OpenIndexOptions): Promise<KnowledgeIndex> {
  const dims = options.dims ?? DEFAULT_DIMS;
  const dir = join(options.dataDir, "index");
  // The saved index is read while the knowledge loads: start-up waits on the disk once.
  const savedRead = options.rebuild ? Promise.resolve(undefined) : readManifest(dir);
  const keywordRead = readFile(join(dir, "keyword.json"), "utf8");
  keywordRead.catch(() => undefined); // missing or damaged: the index is rebuilt below
  const kb = await loadKnowledge(options.knowledgeDir, { promptsDir: options.promptsDir });
  const chunks = chunkKnowledge(kb);
  const byChunkId = new Map(chunks.map((c) => [c.metadata.chunkId, c]));
  const saved = await savedRead;

  if (manifestMatches(saved, kb, dims) && saved.chunkCount === chunks.length) {
    const stats = new CorpusStats(saved.idf, saved.docCount, saved.vocabulary);
    const embeddings = new LexicalEmbeddings({ lexicon: kb.lexicon, dims, idf: stats.idf, docCount: stats.docCount });
    try {
      const [store, keywordText] = await Promise.all([HNSWLib.load(dir, embeddings), keywordRead]);
      store.index.setEf(SEARCH_EF);
      const keyword = loadKeywordIndex(keywordText, kb.lexicon);
      return { kb, chunks, byChunkId, store, embeddings, keyword, stats, manifest: saved, rebuilt: false };
    } catch {
      // A damaged index is rebuilt below rather than failing start-up.
    }
  }

  options.onProgress?.({ stage: "fit", done: 0, total: chunks.length });
  const stats = CorpusStats.fit(chunks, kb.lexicon);
  const embeddings = new LexicalEmbeddings({ lexicon: kb.lexicon, dims, idf: stats.idf, docCount: stats.docCount });
  const store = await buildStore(chunks, embeddings, options.onProgress);
  const keyword = buildKeywordIndex(chunks, kb.lexicon);
  const manifest: IndexManifest = {
    embedding: EMBEDDING_VERSION,
    dims,
    weights: FEATURE_WEIGHTS,
    contentHash: kb.contentHash,
    chunkCount: chunks.length,
    docCount: stats.docCount,
    builtAt: new Date().toISOString(),
    idf: Object.fromEntries(stats.idf),
    vocabulary: Object.fromEntries(stats.vocabulary),
  };
  // Write to a temporary folder and swap it in, so a crash never leaves half an index.
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await store.save(tmp);
  await writeFile(join(tmp, "keyword.json"), JSON.stringify(keyword));
  await writeFile(join(tmp, "manifest.json"), JSON.stringify(manifest));
  await rm(dir, { recursive: true, force: true });
  await mkdir(options.dataDir, { recursive: true });
  await rename(tmp, dir);
  options.onProgress?.({ stage: "saved", done: chunks.length, total: chunks.length });
  return { kb, chunks, byChunkId, store, embeddings, keyword, stats, manifest, rebuilt: true };
}
