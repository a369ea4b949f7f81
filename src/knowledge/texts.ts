/**
 * Wording and vocabulary are data: every sentence the assistant sends lives in `prompts/`
 * and every list of words it recognises in `knowledge/vocabulary/`, as YAML checked by a
 * zod schema that sits next to the code using it. The knowledge loader reads the files;
 * `defineTexts` / `defineVocabulary` give the code a typed, validated, cached view.
 *
 * A missing file or key fails with the file and the field, e.g.
 * `prompts/skills/fee.yaml: field "verdict.banned": Invalid input: expected string — add it`.
 * `npm run knowledge:check` and engine start-up validate every spec, so a missing key
 * never waits for the one message that needs it.
 *
 * @example
 * const feeTexts = defineTexts("skills/fee", z.object({ intro: z.string() }));
 * feeTexts(kb).intro; // validated once per knowledge base, then cached
 */
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** YAML files of one folder, by path without extension ("skills/fee"). */
export interface DataFiles {
  dir: string;
  files: Map<string, { file: string; data: unknown }>;
}

/** What `defineTexts` / `defineVocabulary` read from: a loaded knowledge base. */
export interface HasDataFiles {
  texts: DataFiles;
  vocabulary: DataFiles;
}

export class DataFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataFileError";
  }
}

/** Reads every .yaml file under `dir` (a missing folder is empty). */
export async function loadDataFiles(dir: string, list: (dir: string, exts: string[]) => Promise<string[]>): Promise<DataFiles> {
  const files = new Map<string, { file: string; data: unknown }>();
  const paths = await list(dir, [".yaml", ".yml"]);
  const contents = paths.map((file) => readFile(file, "utf8"));
  contents.forEach((c) => c.catch(() => undefined)); // each error is thrown in order, below
  for (const [i, file] of paths.entries()) {
    const name = relative(dir, file).replace(/\.ya?ml$/, "").split("\\").join("/");
    let data: unknown;
    try {
      data = parseYaml(await contents[i]!);
    } catch (err) {
      throw new DataFileError(`${file}: invalid YAML: ${(err as Error).message}`);
    }
    files.set(name, { file, data });
  }
  return { dir, files };
}

/** Validates data with a schema; the error names the file and the first field at fault. */
export function parseDataFile<S extends z.ZodType>(file: string, data: unknown, schema: S): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DataFileError(`${file}: field "${issue.path.join(".")}": ${issue.message} — add or fix it`);
  }
  return parsed.data;
}

/**
 * Reads one YAML file of wording and checks it with a zod schema (for files read outside
 * a knowledge base, e.g. a deployer's offices file).
 */
export function loadPromptFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new DataFileError(`${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : `invalid YAML: ${(err as Error).message}`}`);
  }
  return parseDataFile(file, data, schema);
}

/** A typed view of one data file; calling it with a knowledge base validates once and caches. */
export interface DataSpec<S extends z.ZodType> {
  (kb: HasDataFiles): z.infer<S>;
  readonly kind: "texts" | "vocabulary";
  /** The file's path under its folder, without extension ("skills/fee"). */
  readonly file: string;
  readonly schema: S;
}

const cache = new WeakMap<DataFiles, Map<string, unknown>>();

function define<S extends z.ZodType>(kind: "texts" | "vocabulary", name: string, schema: S): DataSpec<S> {
  const read = (kb: HasDataFiles): z.infer<S> => {
    const files = kb[kind];
    let byName = cache.get(files);
    if (!byName) cache.set(files, (byName = new Map()));
    if (byName.has(name)) return byName.get(name) as z.infer<S>;
    const entry = files.files.get(name);
    if (!entry) throw new DataFileError(`${join(files.dir, `${name}.yaml`)}: missing — it holds the ${kind === "texts" ? "wording" : "words"} this part of the assistant needs`);
    const value = parseDataFile(entry.file, entry.data, schema);
    byName.set(name, value);
    return value;
  };
  return Object.assign(read, { kind, file: name, schema });
}

/** Sentences in `prompts/<name>.yaml`. */
export function defineTexts<S extends z.ZodType>(name: string, schema: S): DataSpec<S> {
  return define("texts", name, schema);
}

/** Word lists in `knowledge/vocabulary/<name>.yaml`. */
export function defineVocabulary<S extends z.ZodType>(name: string, schema: S): DataSpec<S> {
  return define("vocabulary", name, schema);
}

/** A template with {placeholders}: any non-empty string. */
export const template = z.string().min(1);

/** An object of these template keys, each required (a missing one fails with its name). */
export function templates<const K extends string>(...keys: K[]) {
  return z.object(Object.fromEntries(keys.map((k) => [k, template])) as { [P in K]: typeof template });
}

/**
 * A pattern source compiled once, by `compile`; one that does not compile fails validation
 * with the file, the field and the reason.
 */
export function compiledPattern<R>(compile: (source: string) => R) {
  return z.string().min(1).transform((source, ctx) => {
    try {
      return compile(source);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `not a valid pattern: ${(err as Error).message}` });
      return z.NEVER;
    }
  });
}

/**
 * Patterns over folded text (no diacritics, lower case): regular-expression sources,
 * compiled once. An invalid pattern fails validation with the file and the field.
 */
export const foldedPattern = compiledPattern((source) => new RegExp(source));
