import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KnowledgeError, loadKnowledge } from "../src/knowledge/load.ts";
import { LexicalEmbeddings } from "../src/retrieval/embeddings.ts";
import { KnowledgeRetriever } from "../src/retrieval/retriever.ts";
import { openIndex } from "../src/retrieval/vector-index.ts";
import { Lexicon } from "../src/text/lexicon.ts";
import { Document } from "@langchain/core/documents";
import { FakeVectorStore } from "@langchain/core/utils/testing";
import { KNOWLEDGE_DIR, ROOT, tempDir } from "./helpers.ts";

let dir: { path: string; cleanup: () => Promise<void> };
let knowledge: string;
let data: string;

beforeAll(async () => {
  dir = await tempDir();
  knowledge = join(dir.path, "knowledge");
  data = join(dir.path, "data");
  await mkdir(join(knowledge, "sources"), { recursive: true });
  await copyFile(join(KNOWLEDGE_DIR, "lexicon.yaml"), join(knowledge, "lexicon.yaml"));
  await copyFile(join(ROOT, "test/fixtures/plan.md"), join(knowledge, "sources/plan.md"));
});
afterAll(() => dir.cleanup());

describe("lexical embeddings", () => {
  const lexicon = Lexicon.fromYaml(`abbreviations: {}\nnumber_words: {}\nnumber_units: []\ncurrency_words: {}\ndocument_prefixes: []\n`);
  const corpus = ["ký quỹ đi Hàn Quốc", "tiền dịch vụ tối đa", "vay vốn ngân hàng chính sách"];

  it("is deterministic across instances and calls", async () => {
    const a = LexicalEmbeddings.fit(corpus, { lexicon, dims: 512 });
    const b = LexicalEmbeddings.fit(corpus, { lexicon, dims: 512 });
    expect(await a.embedQuery("ky quy di han")).toEqual(await b.embedQuery("ky quy di han"));
    expect(await a.embedDocuments(corpus)).toEqual(await a.embedDocuments(corpus));
  });

  it("returns unit vectors of the configured size", async () => {
    const emb = LexicalEmbeddings.fit(corpus, { lexicon, dims: 256 });
    const v = await emb.embedQuery("tiền dịch vụ");
    expect(v).toHaveLength(256);
    expect(Math.sqrt(v.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 6);
  });

  it("puts unaccented text next to its accented form", async () => {
    const emb = LexicalEmbeddings.fit(corpus, { lexicon, dims: 1024 });
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    const accented = await emb.embedQuery("ký quỹ đi Hàn Quốc");
    const plain = await emb.embedQuery("ky quy di han quoc");
    const other = await emb.embedQuery("vay vốn ngân hàng");
    expect(dot(accented, plain)).toBeGreaterThan(0.6);
    expect(dot(accented, plain)).toBeGreaterThan(dot(accented, other) + 0.3);
  });
});

describe("index save/load", () => {
  it("builds, saves, reloads with identical results, and rebuilds when knowledge changes", async () => {
    const first = await openIndex({ knowledgeDir: knowledge, dataDir: data, dims: 512 });
    expect(first.rebuilt).toBe(true);
    const q = "vay vốn ở đâu";
    const before = await KnowledgeRetriever.fromIndex(first).search(q);

    const second = await openIndex({ knowledgeDir: knowledge, dataDir: data, dims: 512 });
    expect(second.rebuilt).toBe(false);
    const after = await KnowledgeRetriever.fromIndex(second).search(q);
    expect(after.map((h) => [h.key, h.score.toFixed(6)])).toEqual(before.map((h) => [h.key, h.score.toFixed(6)]));
    expect(after[0]?.chunk.metadata.locator).toBe("Mục III, điểm 2, ý a");

    const file = join(knowledge, "sources/plan.md");
    await writeFile(file, (await readFile(file, "utf8")).replace("200 người", "300 người"));
    const third = await openIndex({ knowledgeDir: knowledge, dataDir: data, dims: 512 });
    expect(third.rebuilt).toBe(true);
    expect(third.manifest.contentHash).not.toBe(first.manifest.contentHash);
  });

  it("plugs into any LangChain vector store and embeddings: the same units through an in-memory store", async () => {
    const index = await openIndex({ knowledgeDir: knowledge, dataDir: data, dims: 512 });
    // LangChain's own in-memory store (exact search, cosine similarity instead of HNSW distance).
    const memory = new FakeVectorStore(index.embeddings);
    await memory.addDocuments(index.chunks.map((c) => new Document({ pageContent: c.metadata.searchText, metadata: c.metadata })));
    const plugged = new KnowledgeRetriever({ kb: index.kb, chunks: index.chunks, embeddings: index.embeddings, vectorStore: memory, keyword: index.keyword, stats: index.stats });
    const q = "vay vốn ở đâu";
    const viaHnsw = (await KnowledgeRetriever.fromIndex(index).search(q)).map((h) => h.key);
    const viaMemory = (await plugged.search(q)).map((h) => h.key);
    expect(viaMemory[0]).toBe(viaHnsw[0]);
    expect(new Set(viaMemory)).toEqual(new Set(viaHnsw));
  });

  it("implements LangChain's retriever interface", async () => {
    const index = await openIndex({ knowledgeDir: knowledge, dataDir: data, dims: 512 });
    const docs = await KnowledgeRetriever.fromIndex(index, { k: 2 }).invoke("lớp tiếng Hàn");
    expect(docs.length).toBeGreaterThan(0);
    expect(docs[0]!.metadata.doc).toBe("Kế hoạch mẫu");
    expect(docs[0]!.pageContent).toContain("tiếng Hàn");
  });
});

describe("knowledge validation", () => {
  it("names the file and the field at fault", async () => {
    const bad = join(dir.path, "bad");
    await mkdir(join(bad, "sources"), { recursive: true });
    await copyFile(join(KNOWLEDGE_DIR, "lexicon.yaml"), join(bad, "lexicon.yaml"));
    await writeFile(join(bad, "sources/x.md"), "---\nid: x\ntitle: Tiêu đề dài\nshort: Ngắn gọn\nkind: poem\nissuer: Ai đó\nyear: 2024\nlocality: Đâu đó\nstatus: in_force\noriginal_file: x.txt\n---\nNội dung.\n");
    const err = await loadKnowledge(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KnowledgeError);
    expect((err as KnowledgeError).message).toContain("sources/x.md");
    expect((err as KnowledgeError).field).toBe("kind");
  });

  it("rejects a file without front-matter", async () => {
    const bad = join(dir.path, "bad2");
    await mkdir(join(bad, "sources"), { recursive: true });
    await copyFile(join(KNOWLEDGE_DIR, "lexicon.yaml"), join(bad, "lexicon.yaml"));
    await writeFile(join(bad, "sources/y.md"), "Chỉ có nội dung.\n");
    await expect(loadKnowledge(bad)).rejects.toThrow(/y\.md: missing YAML front-matter/);
  });
});
