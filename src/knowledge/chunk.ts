/**
 * Splits knowledge into retrievable chunks along the documents' own structure, so each
 * chunk carries a locator a person can find in the paper copy ("Mục III, điểm 2, ý a").
 *
 * Sources are split at their Markdown headings (## roman sections, ### numbered items,
 * #### lettered points); a long section is cut at paragraph boundaries and keeps its
 * locator. Each card gives one chunk for its text and one per listed question, all
 * pointing back to the card.
 */
import { Document } from "@langchain/core/documents";
import type { Card, KnowledgeBase, SourceDoc } from "./load.ts";
import type { Status } from "./schema.ts";

export type ChunkKind = "source" | "card" | "card_question";

export interface ChunkMetadata {
  chunkId: string;
  kind: ChunkKind;
  /** Source id or card id. */
  docId: string;
  /** The citation name of the document ("Kế hoạch Tỉnh ủy Lạng Sơn"). */
  doc: string;
  title: string;
  locator: string;
  status: Status;
  /** Heading titles above this chunk, for context and retrieval. */
  heading: string;
  /** Text used for matching (headings + body, or the card's question). */
  searchText: string;
}

export type Chunk = Document<ChunkMetadata>;

const MAX_CHUNK_CHARS = 1400;

const ROMAN_RE = /^([IVXLC]+)\s*[.\-–)]\s*(.*)$/;
const NUMBER_RE = /^(\d+(?:\.\d+)*)\s*[.)]\s*(.*)$/;
const LETTER_RE = /^([a-zđ])\s*\)\s*(.*)$/i;
const ARTICLE_RE = /^(Điều\s+\d+[a-z]?)\s*[.:]?\s*(.*)$/i;
const PART_RE = /^((?:Phần|Chương|Phụ lục|Mục)\s+[\dIVXLC]+[a-z]?)\s*[.:\-–]?\s*(.*)$/i;

/** Turns a heading's label into the locator words used in citations. */
export function headingLocator(heading: string): string | undefined {
  const h = heading.replace(/\*\*/g, "").trim();
  let m = ARTICLE_RE.exec(h);
  if (m) return m[1]!.replace(/\s+/g, " ");
  m = PART_RE.exec(h);
  if (m) return m[1]!.replace(/\s+/g, " ");
  m = ROMAN_RE.exec(h);
  if (m) return `Mục ${m[1]}`;
  m = NUMBER_RE.exec(h);
  if (m) return `điểm ${m[1]}`;
  m = LETTER_RE.exec(h);
  if (m) return `ý ${m[1]!.toLowerCase()}`;
  return undefined;
}

/** A heading's title without its label ("1. Mục đích" → "Mục đích"). */
function stripLabel(title: string): string {
  return title.replace(/^(?:[IVXLC]+\s*[.\-–)]|\d+(?:\.\d+)*\s*[.)]|[a-zđ]\s*\))\s*/i, "");
}

interface Section {
  path: Array<{ level: number; title: string; locator?: string }>;
  lines: string[];
}

function sectionsOf(body: string): Section[] {
  const sections: Section[] = [];
  let path: Section["path"] = [];
  let current: Section = { path, lines: [] };
  for (const line of body.split(/\r?\n/)) {
    const m = /^(#{1,6})\s+(.*)$/.exec(line);
    if (m) {
      if (current.lines.some((l) => l.trim())) sections.push(current);
      const level = m[1]!.length;
      const title = m[2]!.replace(/\*\*/g, "").trim();
      path = [...path.filter((p) => p.level < level), { level, title, locator: headingLocator(title) }];
      current = { path, lines: [] };
    } else {
      current.lines.push(line);
    }
  }
  if (current.lines.some((l) => l.trim())) sections.push(current);
  return sections;
}

/** Cuts long text at paragraph (then sentence) boundaries into windows of bounded size. */
function windows(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const paragraphs = text.split(/\n\s*\n|\n(?=\s*[-+*] )/).map((p) => p.trim()).filter(Boolean);
  const out: string[] = [];
  let buf = "";
  for (const p of paragraphs) {
    if (buf && buf.length + p.length + 2 > max) {
      out.push(buf);
      buf = "";
    }
    if (p.length > max) {
      for (const piece of p.split(/(?<=[.;!?])\s+/)) {
        if (buf && buf.length + piece.length + 1 > max) {
          out.push(buf);
          buf = "";
        }
        buf = buf ? `${buf} ${piece}` : piece;
      }
    } else {
      buf = buf ? `${buf}\n\n${p}` : p;
    }
  }
  if (buf) out.push(buf);
  return out;
}

export function chunkSource(source: SourceDoc): Chunk[] {
  const chunks: Chunk[] = [];
  sectionsOf(source.body).forEach((section, sIndex) => {
    const locators = section.path.map((p) => p.locator).filter((l): l is string => !!l);
    const locator = locators.length ? locators.join(", ") : "Phần mở đầu";
    const heading = section.path.filter((p) => p.level > 1).map((p) => p.title).join(" › ");
    // The recipients list and signature block ("Nơi nhận: …") are not content.
    const end = section.lines.findIndex((l) => /^\s*\**\s*Nơi nhận\b/i.test(l));
    let text = (end >= 0 ? section.lines.slice(0, end) : section.lines).join("\n").trim();
    if (!text) return;
    // A run-in heading ("### 1. Các huyện ủy, …, đảng đoàn,") continues in the body:
    // put its words back so the passage reads as a whole sentence.
    const last = section.path[section.path.length - 1];
    if (last && /^\p{Ll}/u.test(text)) text = `${stripLabel(last.title)} ${text}`;
    windows(text, MAX_CHUNK_CHARS).forEach((piece, wIndex) => {
      chunks.push(
        new Document<ChunkMetadata>({
          pageContent: piece,
          metadata: {
            chunkId: `${source.meta.id}#${sIndex}.${wIndex}`,
            kind: "source",
            docId: source.meta.id,
            doc: source.meta.short,
            title: source.meta.title,
            locator,
            status: source.meta.status,
            heading,
            // The document's name and place are searchable too: people ask "Lạng Sơn …".
            searchText: `${source.meta.short} ${source.meta.locality}\n${heading}\n${piece}`,
          },
        }),
      );
    });
  });
  return chunks;
}

export function chunkCard(card: Card): Chunk[] {
  const first = card.meta.sources[0]!;
  const base = {
    docId: card.meta.id,
    doc: first.doc,
    title: card.meta.title,
    locator: first.locator,
    status: card.meta.status,
    heading: card.meta.title,
  };
  const text = [card.shortAnswer, ...card.details, ...card.nextSteps].join("\n");
  return [
    new Document<ChunkMetadata>({
      pageContent: text,
      metadata: { ...base, chunkId: `${card.meta.id}#card`, kind: "card", searchText: `${card.meta.title}\n${text}` },
    }),
    ...card.meta.questions.map(
      (q, i) =>
        new Document<ChunkMetadata>({
          pageContent: q,
          metadata: { ...base, chunkId: `${card.meta.id}#q${i}`, kind: "card_question", searchText: q },
        }),
    ),
  ];
}

export function chunkKnowledge(kb: KnowledgeBase): Chunk[] {
  return [...kb.sources.flatMap(chunkSource), ...kb.cards.flatMap(chunkCard)];
}
