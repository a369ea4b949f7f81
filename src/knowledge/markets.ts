/**
 * Destination markets, jobs and programmes as data (`knowledge/markets.yaml`,
 * `knowledge/jobs.yaml`) and the one reader of them: "đi nhật", "sang Đài", "Ma-lai-xi-a",
 * "dubai", "osin", "tàu cá xa bờ" → the market, job and route the fee and deposit rules use.
 *
 * Short names are ordinary words too: "nhật" (chủ nhật), "đức" (đạo đức), "hàn" (thợ hàn),
 * and without diacritics "nhat" is also "nhất". So a place phrase matches only typed with
 * its own diacritics or with none, and one-syllable names count only after a destination
 * word (the market's `patterns`) or as the whole message (`alone`).
 *
 * @example
 * kb.markets.destination("di dai loan lam nha may"); // { market: "taiwan", name: "Đài Loan", eps: false }
 * kb.markets.destination("nhiều nhất bao nhiêu");     // undefined
 * kb.markets.job("cham soc nguoi gia tai nha");       // "home_caregiver"
 */
import { z } from "zod";
import { fold, nfcLower, ruleText } from "../text/normalize.ts";
import { foldedPattern } from "./texts.ts";
import { topicSchema, type Topic } from "./schema.ts";

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, "use snake_case ids, e.g. middle_east");

const marketSchema = z.object({
  id,
  name: z.string().min(1),
  group: z.string().min(1).optional(),
  topics: z.array(topicSchema).default([]),
  fact_markets: z.array(id).min(1),
  register: z.string().min(1).optional(),
  fee_button: z.string().min(1).optional(),
  /** Currencies only this market pays in (ISO codes, as src/text/amount.ts reads them). */
  currencies: z.array(z.string().regex(/^[A-Z]{3}$/)).default([]),
  places: z.array(z.object({ name: z.string().min(1), phrases: z.array(z.string().min(1)).min(1) })).min(1),
  patterns: z.array(foldedPattern).default([]),
  alone: z.array(z.string().min(1)).default([]),
});

export const marketsFileSchema = z.object({
  destination_words: z.array(z.string().min(1)),
  regions: z.array(z.object({ id, name: z.string().min(1) })),
  markets: z.array(marketSchema),
  programmes: z.array(z.object({ id, name: z.string().min(1), market: id, patterns: z.array(foldedPattern).min(1) })).default([]),
  routes: z.object({ company: z.array(foldedPattern), eps: z.array(foldedPattern) }),
});

export const jobsFileSchema = z.object({
  jobs: z.array(
    z.object({
      id,
      name: z.string().min(1),
      patterns: z.array(foldedPattern).min(1),
      fact_jobs: z.array(id).optional(),
    }),
  ),
});

export type MarketEntry = z.output<typeof marketSchema>;
export type JobEntry = z.output<typeof jobsFileSchema>["jobs"][number];
/** A market id from knowledge/markets.yaml ("japan", "middle_east"…). */
export type Market = string;
/** A job id from knowledge/jobs.yaml, or "other". */
export type Job = string;
export const OTHER_JOB = "other";
/** The selector value that applies to every market or job in facts. */
export const ALL = "all";

export interface Destination {
  market: Market;
  /** Plain Vietnamese name of what was recognised ("Đức", "Malaysia", "Hàn Quốc"). */
  name: string;
  /** The text named the market's state programme (EPS for Korea). */
  eps: boolean;
}

/** A place phrase split once: its words, folded, and whether it must match with its own diacritics. */
interface PlacePhrase {
  market: Market;
  name: string;
  exactOnly: boolean;
  parts: string[];
  folded: string[];
}

function wordsOf(text: string): string[] {
  return nfcLower(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Index of the first place the phrase occurs in the words (`folded[i]` = fold of `words[i]`), or -1. */
function phraseAt(words: string[], folded: string[], phrase: PlacePhrase): number {
  const { parts } = phrase;
  for (let i = 0; i + parts.length <= words.length; i++) {
    const ok = parts.every((p, k) => {
      const w = words[i + k]!;
      if (w === p) return true;
      // Typed without any diacritics: compare folded.
      return !phrase.exactOnly && w === folded[i + k] && w === phrase.folded[k];
    });
    if (ok) return i;
  }
  return -1;
}

/** The markets, jobs and programmes of one knowledge folder, compiled once at load. */
export class MarketBook {
  readonly markets: MarketEntry[];
  readonly jobs: JobEntry[];
  readonly regions: Array<{ id: string; name: string }>;
  private readonly byId: Map<string, MarketEntry>;
  private readonly phrases: PlacePhrase[];
  /** Folded one-syllable name → [market, the name with its own diacritics]. */
  private readonly alone = new Map<string, [Market, string]>();
  private readonly destinationLead: RegExp;

  constructor(
    private readonly file: z.output<typeof marketsFileSchema>,
    jobs: z.output<typeof jobsFileSchema>,
  ) {
    this.markets = file.markets;
    this.jobs = jobs.jobs;
    this.regions = file.regions;
    this.byId = new Map(file.markets.map((m) => [m.id, m]));
    this.phrases = file.markets.flatMap((m) =>
      m.places.flatMap(({ name, phrases }) =>
        phrases.map((phrase) => {
          const exactOnly = phrase.startsWith("=");
          const parts = wordsOf(exactOnly ? phrase.slice(1) : phrase);
          return { market: m.id, name, exactOnly, parts, folded: parts.map(fold) };
        }),
      ),
    );
    for (const m of file.markets) for (const word of m.alone) this.alone.set(fold(nfcLower(word)), [m.id, nfcLower(word)]);
    const lead = [...new Set(file.destination_words.flatMap((w) => [nfcLower(w), fold(nfcLower(w))]))];
    this.destinationLead = lead.length ? new RegExp(`^(${lead.join("|")}) `) : /$^/;
  }

  /** Every market id, in file order. */
  get ids(): Market[] {
    return this.markets.map((m) => m.id);
  }

  /** Every job id, in file order, then "other". */
  get jobIds(): Job[] {
    return [...this.jobs.map((j) => j.id), OTHER_JOB];
  }

  market(id: Market): MarketEntry | undefined {
    return this.byId.get(id);
  }

  /** How answers write a market or a region ("Nhật Bản", "các nước Đông Nam Á"); the id when unknown. */
  nameOf(id: string): string {
    return this.byId.get(id)?.name ?? this.file.regions.find((r) => r.id === id)?.name ?? id;
  }

  /** Card topics about this market (market_japan…). */
  topicsOf(id: Market): readonly Topic[] {
    return this.byId.get(id)?.topics ?? [];
  }

  /** Every card topic that is about one market. */
  get marketTopics(): ReadonlySet<Topic> {
    return (this.topicSet ??= new Set(this.markets.flatMap((m) => m.topics)));
  }
  private topicSet?: Set<Topic>;

  /** How a rule for a whole group writes it ("các nước Đông Nam Á"), else the name. */
  groupName(id: string): string {
    return this.byId.get(id)?.group ?? this.nameOf(id);
  }

  /** Whether a market stands for several countries (it has a group name). */
  isGroup(id: string): boolean {
    return this.byId.get(id)?.group !== undefined;
  }

  /** The applies_to.market values whose facts apply to a market, most specific first. */
  factMarkets(id: Market): string[] {
    return this.byId.get(id)?.fact_markets ?? [id];
  }

  /** Whether a fact selector (applies_to.market) applies to this market. */
  appliesTo(factMarket: string | undefined, market: Market): boolean {
    return !factMarket || factMarket === ALL || this.factMarkets(market).includes(factMarket);
  }

  /** The markets the registration form offers as buttons, in order. */
  registerButtons(): Array<{ id: Market; label: string }> {
    return this.markets.flatMap((m) => (m.register ? [{ id: m.id, label: m.register }] : []));
  }

  /** The markets the fee check offers as buttons when it asks where the person is going, in order. */
  feeButtons(): Array<{ id: Market; label: string }> {
    return this.markets.flatMap((m) => (m.fee_button ? [{ id: m.id, label: m.fee_button }] : []));
  }

  /**
   * The market a sum's currency points to, when exactly one market lists it ("20.000 Đài
   * tệ" is Taiwan); undefined for đồng, dollars and any currency two markets share.
   */
  byCurrency(currencies: readonly string[]): Market | undefined {
    const found = new Set(currencies.flatMap((c) => {
      const owners = this.markets.filter((m) => m.currencies.includes(c));
      return owners.length === 1 ? [owners[0]!.id] : [];
    }));
    return found.size === 1 ? [...found][0] : undefined;
  }

  /** The state programme of a market (EPS for Korea), when the data has one. */
  programmeOf(market: Market): { id: string; name: string } | undefined {
    const p = this.file.programmes.find((x) => x.market === market);
    return p && { id: p.id, name: p.name };
  }

  /** The market a programme sends people to. */
  programmeMarket(programmeId: string): Market | undefined {
    return this.file.programmes.find((p) => p.id === programmeId)?.market;
  }

  /** The destination named in the text (the earliest name wins), or undefined. */
  destination(text: string | undefined | null): Destination | undefined {
    if (!text) return undefined;
    const words = wordsOf(text);
    const f = ruleText(text);
    const programme = this.file.programmes.find((p) => p.patterns.some((re) => re.test(f)));
    const folded = words.map(fold);
    let best: { at: number; len: number; market: Market; name: string } | undefined;
    for (const phrase of this.phrases) {
      const at = phraseAt(words, folded, phrase);
      const len = phrase.parts.length;
      if (at >= 0 && (!best || at < best.at || (at === best.at && len > best.len))) best = { at, len, market: phrase.market, name: phrase.name };
    }
    if (!best) {
      // A one-syllable name typed alone, without diacritics or with its own ("nhất" alone is not Japan).
      const typed = words.join(" ").replace(this.destinationLead, "");
      const short = this.alone.get(fold(typed));
      const alone = short && (typed === fold(typed) || typed === short[1]) ? short[0] : undefined;
      const rule = alone ?? this.markets.find((m) => m.patterns.some((re) => re.test(f)))?.id;
      if (rule) best = { at: 0, len: 1, market: rule, name: this.nameOf(rule) };
    }
    if (!best) return programme ? { market: programme.market, name: this.nameOf(programme.market), eps: true } : undefined;
    return { market: best.market, name: best.name, eps: programme !== undefined && best.market === programme.market };
  }

  /** The job named in the text (first match in jobs.yaml order), or undefined. */
  job(text: string): Job | undefined {
    const f = ruleText(text);
    return this.jobs.find((j) => j.patterns.some((re) => re.test(f)))?.id;
  }

  /** The applies_to.job values whose facts apply to a job. */
  factJobs(job: Job): string[] {
    return this.jobs.find((j) => j.id === job)?.fact_jobs ?? [job];
  }

  /** The state programme (EPS) or a licensed company, as the message says; undefined when not said. */
  route(text: string): "eps" | "company" | undefined {
    const f = ruleText(text);
    if (this.file.routes.company.some((re) => re.test(f))) return "company";
    if (this.file.routes.eps.some((re) => re.test(f))) return "eps";
    return undefined;
  }

  /**
   * Problems with market and job selectors in facts: each applies_to.market must be a
   * market, a region or "all"; each applies_to.job a job, a fact_jobs value, "other" or "all".
   */
  selectorErrors(facts: Array<{ id: string; applies_to?: Record<string, string> }>): string[] {
    const markets = new Set([ALL, ...this.ids, ...this.file.regions.map((r) => r.id), ...this.markets.flatMap((m) => m.fact_markets)]);
    const knownRegions = new Set([ALL, ...this.ids, ...this.file.regions.map((r) => r.id)]);
    const jobs = new Set([ALL, OTHER_JOB, ...this.jobIds, ...this.jobs.flatMap((j) => j.fact_jobs ?? [])]);
    const errors: string[] = [];
    for (const m of this.markets) {
      for (const fm of m.fact_markets) {
        if (!knownRegions.has(fm)) errors.push(`knowledge/markets.yaml: ${m.id}: fact_markets "${fm}" is neither a market nor a region — add it under regions`);
      }
    }
    for (const f of facts) {
      const market = f.applies_to?.market;
      const job = f.applies_to?.job;
      if (market && !markets.has(market)) errors.push(`knowledge/facts: ${f.id}: applies_to.market "${market}" is not a market or region of knowledge/markets.yaml`);
      if (job && !jobs.has(job)) errors.push(`knowledge/facts: ${f.id}: applies_to.job "${job}" is not a job of knowledge/jobs.yaml`);
    }
    return errors;
  }
}
