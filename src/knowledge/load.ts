/**
 * Loads and validates everything under `knowledge/`. A bad file stops the load with its
 * path and the field at fault, so an author can fix it without reading code.
 *
 * @example
 * const kb = await loadKnowledge("knowledge");
 * kb.cards.length; // every card, validated
 */
import { readFile, readdir } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import {
  cardFrontMatterSchema,
  contactFileSchema,
  documentFileSchema,
  type DocumentEntry,
  factFileSchema,
  redFlagFileSchema,
  type RedFlagFile,
  sourceFrontMatterSchema,
  type CardFrontMatter,
  type Contact,
  type Fact,
  type SourceFrontMatter,
} from "./schema.ts";
import { officeDirectorySchema, type OfficeDirectory } from "./offices-schema.ts";
import { Lexicon } from "../text/lexicon.ts";
import { loadDataFiles, type DataFiles } from "./texts.ts";
import { jobsFileSchema, MarketBook, marketsFileSchema } from "./markets.ts";

export class KnowledgeError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field ? `field "${field}": ` : ""}${detail}`);
    this.name = "KnowledgeError";
  }
}

export interface SourceDoc {
  meta: SourceFrontMatter;
  body: string;
  file: string;
}

export interface Card {
  meta: CardFrontMatter;
  /** The first paragraph: the short answer that stands on its own. */
  shortAnswer: string;
  /** Bullet lines under "## Chi tiết". */
  details: string[];
  /** Bullet lines under "## Nên làm gì". */
  nextSteps: string[];
  body: string;
  file: string;
}

export interface KnowledgeBase {
  root: string;
  sources: SourceDoc[];
  cards: Card[];
  facts: Fact[];
  contacts: Contact[];
  offices: OfficeDirectory;
  lexicon: Lexicon;
  /** Legal instruments by canonical name (documents.yaml). */
  documents: Map<string, DocumentEntry>;
  /** Red flags of illegal recruitment and their pattern macros (red-flags.yaml). */
  redFlags: RedFlagFile;
  /** Destination markets, jobs and programmes (markets.yaml, jobs.yaml) and their reader. */
  markets: MarketBook;
  /** Word lists in knowledge/vocabulary/, read through `defineVocabulary` (texts.ts). */
  vocabulary: DataFiles;
  /** The assistant's wording in the prompts folder, read through `defineTexts` (texts.ts). */
  texts: DataFiles;
  /** Hash of every knowledge file's path and bytes: the index is rebuilt when it changes. */
  contentHash: string;
}

const FRONT_MATTER_RE = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** Recursively lists files under `dir` with one of the given extensions, sorted. */
export async function listFiles(dir: string, exts: string[]): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path, exts)));
    else if (exts.some((e) => entry.name.endsWith(e))) out.push(path);
  }
  return out.sort();
}

function validate<S extends z.ZodType>(schema: S, data: unknown, file: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new KnowledgeError(file, issue.path.join("."), issue.message);
  }
  return result.data;
}

function parseYamlFile(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new KnowledgeError(file, "", `invalid YAML: ${(err as Error).message}`);
  }
}

function splitFrontMatter(text: string, file: string): { data: unknown; body: string } {
  const m = FRONT_MATTER_RE.exec(text);
  if (!m) throw new KnowledgeError(file, "", "missing YAML front-matter between --- lines");
  return { data: parseYamlFile(m[1]!, file), body: m[2]!.normalize("NFC").trim() };
}

/** A card as one text — title, the questions it answers, body — for judging a match. */
export function cardText(card: Card): string {
  return [card.meta.title, ...card.meta.questions, card.body].join("\n");
}

/** Splits a card body into its short answer, details and next steps. */
export function parseCardBody(body: string): Pick<Card, "shortAnswer" | "details" | "nextSteps"> {
  const sections = body.split(/^##\s+/m);
  const shortAnswer = (sections[0] ?? "").trim().replace(/\s*\n\s*/g, " ");
  const bullets = (heading: RegExp): string[] => {
    const section = sections.slice(1).find((s) => heading.test(s.split("\n")[0] ?? ""));
    if (!section) return [];
    return section
      .split("\n")
      .slice(1)
      .map((l) => l.replace(/^\s*[-*+]\s*|^\s*\d+[.)]\s*/, "").trim())
      .filter(Boolean);
  };
  return {
    shortAnswer,
    details: bullets(/chi tiết/i),
    nextSteps: bullets(/nên làm gì|việc nên làm|bước tiếp/i),
  };
}

export interface LoadKnowledgeOptions {
  /** Where the wording lives; default: the `prompts` folder beside the knowledge folder. */
  promptsDir?: string;
}

/** Files read ahead of the one being parsed. */
const READ_AHEAD = 16;

export async function loadKnowledge(root: string, options: LoadKnowledgeOptions = {}): Promise<KnowledgeBase> {
  const hash = createHash("sha256");
  // Files are read ahead, a few at a time (start-up does not wait on the disk once per
  // file, and a large corpus is not all in memory twice); each is hashed and parsed in a
  // fixed order, so the content hash does not depend on timing.
  // Read but not yet parsed, at most READ_AHEAD at a time.
  const started = new Map<string, Promise<string>>();
  const queue: string[] = [];
  const startNext = (): void => {
    while (queue.length && started.size < READ_AHEAD) {
      const file = queue.shift()!;
      if (started.has(file)) continue;
      const text = readFile(file, "utf8");
      text.catch(() => undefined); // a missing optional file is handled where it is read
      started.set(file, text);
    }
  };
  const prefetch = (files: string[]): string[] => {
    queue.push(...files);
    startNext();
    return files;
  };
  const read = async (file: string): Promise<string> => {
    const pending = started.get(file);
    started.delete(file);
    startNext();
    const text = await (pending ?? readFile(file, "utf8"));
    hash.update(relative(root, file)).update("\0").update(text).update("\0");
    return text;
  };
  const [sourceFiles, cardFiles, factFiles, officeFiles] = await Promise.all([
    listFiles(join(root, "sources"), [".md"]),
    listFiles(join(root, "cards"), [".md"]),
    listFiles(join(root, "facts"), [".yaml", ".yml", ".json"]),
    listFiles(join(root, "offices"), [".yaml", ".yml"]),
  ]);
  prefetch([...sourceFiles, ...cardFiles, ...factFiles, ...officeFiles]);
  prefetch(["contacts.yaml", "lexicon.yaml", "documents.yaml", "red-flags.yaml", "markets.yaml", "jobs.yaml"].map((f) => join(root, f)));
  const dataFiles = Promise.all([
    loadDataFiles(join(root, "vocabulary"), listFiles),
    loadDataFiles(options.promptsDir ?? join(root, "..", "prompts"), listFiles),
  ]);
  dataFiles.catch(() => undefined); // its error is thrown where it is awaited, below

  const sources: SourceDoc[] = [];
  for (const file of sourceFiles) {
    const { data, body } = splitFrontMatter(await read(file), file);
    sources.push({ meta: validate(sourceFrontMatterSchema, data, file), body, file });
  }

  const cards: Card[] = [];
  for (const file of cardFiles) {
    const { data, body } = splitFrontMatter(await read(file), file);
    const meta = validate(cardFrontMatterSchema, data, file);
    const parsed = parseCardBody(body);
    if (!parsed.shortAnswer) throw new KnowledgeError(file, "body", "the card needs a short answer first");
    cards.push({ meta, ...parsed, body, file });
  }

  const facts: Fact[] = [];
  for (const file of factFiles) {
    facts.push(...validate(factFileSchema, parseYamlFile(await read(file), file), file));
  }

  let contacts: Contact[] = [];
  const contactsFile = join(root, "contacts.yaml");
  const contactsText = await read(contactsFile).catch(() => undefined);
  if (contactsText !== undefined) {
    contacts = validate(contactFileSchema, parseYamlFile(contactsText, contactsFile), contactsFile);
  }

  const officeParts: Record<string, unknown> = {};
  for (const file of officeFiles) {
    const key = file.split("/").pop()!.replace(/\.ya?ml$/, "").replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    officeParts[key] = parseYamlFile(await read(file), file);
  }
  const offices = validate(officeDirectorySchema, officeParts, join(root, "offices"));

  const lexiconFile = join(root, "lexicon.yaml");
  let lexiconText: string;
  try {
    lexiconText = await read(lexiconFile);
  } catch {
    throw new KnowledgeError(lexiconFile, "", "missing: the abbreviation dictionary is required");
  }
  const lexicon = Lexicon.fromYaml(lexiconText, lexiconFile);

  const documentsFile = join(root, "documents.yaml");
  const documentsText = await read(documentsFile).catch(() => "[]");
  const documentList = validate(documentFileSchema, parseYamlFile(documentsText, documentsFile), documentsFile);
  const documents = new Map(documentList.map((d) => [d.doc, d]));
  // Client documents register themselves under their citation name.
  for (const s of sources) {
    documents.set(s.meta.short, {
      doc: s.meta.short,
      title: s.meta.title,
      status: s.meta.status,
      note: s.meta.status_note,
      // The client's own document, read as it is.
      confidence: "V-P",
    });
  }

  const redFlagsFile = join(root, "red-flags.yaml");
  const redFlagsText = await read(redFlagsFile).catch(() => "macros: {}\nflags: []");
  const redFlags = validate(redFlagFileSchema, parseYamlFile(redFlagsText, redFlagsFile), redFlagsFile);

  // Optional: a knowledge folder without them (a test corpus) simply knows no markets.
  const readOptional = async (name: string, empty: unknown): Promise<[string, unknown]> => {
    const file = join(root, name);
    const text = await read(file).catch(() => undefined);
    return [file, text === undefined ? empty : parseYamlFile(text, file)];
  };
  const [marketsFile, marketsData] = await readOptional("markets.yaml", { destination_words: [], regions: [], markets: [], routes: { company: [], eps: [] } });
  const [jobsFile, jobsData] = await readOptional("jobs.yaml", { jobs: [] });
  const markets = new MarketBook(validate(marketsFileSchema, marketsData, marketsFile), validate(jobsFileSchema, jobsData, jobsFile));
  assertUniqueIds(markets.markets.map((m) => [m.id, marketsFile]));
  assertUniqueIds(markets.jobs.map((j) => [j.id, jobsFile]));

  assertUniqueIds(cards.map((c) => [c.meta.id, c.file]));
  assertUniqueIds(redFlags.flags.map((f) => [f.id, redFlagsFile]));
  assertUniqueIds(sources.map((s) => [s.meta.id, s.file]));
  assertUniqueIds(facts.map((f) => [f.id, "knowledge/facts"]));

  // Neither vocabulary nor wording changes what the index holds, so neither is hashed.
  const [vocabulary, texts] = await dataFiles;

  return { root, sources, cards, facts, contacts, offices, lexicon, documents, redFlags, markets, vocabulary, texts, contentHash: hash.digest("hex") };
}

function assertUniqueIds(pairs: Array<[string, string]>): void {
  const seen = new Map<string, string>();
  for (const [id, file] of pairs) {
    const first = seen.get(id);
    if (first !== undefined) throw new KnowledgeError(file, "id", `duplicate id "${id}" (also in ${first})`);
    seen.set(id, file);
  }
}
