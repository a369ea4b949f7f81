/**
 * Which office gets a case, and where that office receives it. Destinations come from a
 * deploy-time file (YAML or JSON) because chat ids and webhook addresses differ per
 * locality and are not knowledge: the knowledge says which offices exist, the deployer says
 * which Telegram group each one works in.
 *
 * Order: the commune's destination, else the province default, else the central
 * "unrouted" queue. A case is never dropped: it is stored with `routedTo` whatever happens,
 * and the unrouted queue is visible to whoever holds the `unrouted` destination.
 *
 * @example
 * // config/offices.yaml
 * offices:
 *   "commune:ha-noi-bo-de": { name: "UBND phường Bồ Đề", telegramChatId: -1001234567890 }
 *   "province:ha-noi": { telegramChatId: -1009876543210, webhookUrl: "https://so-noi-vu.example/xkld" }
 * unrouted: { telegramChatId: -1005555555555 }
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Registration } from "./types.ts";

export const OFFICE_KEY_RE = /^(commune|province):[a-z0-9-]+$/;
export const UNROUTED = "unrouted";

export const destinationSchema = z
  .strictObject({
    /** Shown to officers and in logs instead of the chat id. */
    name: z.string().min(1).optional(),
    /** A group chat id (-100…), as a number or a string, or a public "@channel". */
    telegramChatId: z
      .union([z.number().int(), z.string().regex(/^(-?\d+|@[A-Za-z][A-Za-z0-9_]{4,})$/, "must be a chat id such as -1001234567890 or @name")])
      .optional(),
    webhookUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  })
  .refine((d) => d.telegramChatId !== undefined || d.webhookUrl !== undefined, {
    message: "give telegramChatId or webhookUrl (or both)",
  });
export type Destination = z.infer<typeof destinationSchema>;

export const destinationsSchema = z.strictObject({
  offices: z
    .record(
      z.string().regex(OFFICE_KEY_RE, 'office keys look like "commune:<id>" or "province:<id>"'),
      destinationSchema,
    )
    .default({}),
  /** The central queue: cases whose commune and province have no destination. */
  unrouted: destinationSchema.optional(),
});
export type Destinations = z.infer<typeof destinationsSchema>;

/** Ids from knowledge/offices, to catch a misspelt office key at start-up rather than at the first case. */
export interface KnownOffices {
  provinceIds: Iterable<string>;
  communeIds: Iterable<string>;
}

export class DestinationsError extends Error {
  override name = "DestinationsError";
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "string" && /[^A-Za-z0-9_]/.test(p) ? JSON.stringify(p) : String(p))).join(".") || "(top level)";
}

/** Validates an already-parsed config; errors name the file and field. */
export function parseDestinations(value: unknown, file = "(destinations)", known?: KnownOffices): Destinations {
  const parsed = destinationsSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      // A bad record key comes wrapped ("Invalid key in record"); show the key rule instead.
      const inner = i.code === "invalid_key" ? i.issues[0]?.message : undefined;
      return `${file}: ${formatPath(i.path)}: ${inner ?? i.message}`;
    });
    throw new DestinationsError(lines.join("\n"));
  }
  if (known) {
    const provinces = new Set(known.provinceIds);
    const communes = new Set(known.communeIds);
    const unknown = Object.keys(parsed.data.offices).filter((key) => {
      const [kind, id = ""] = key.split(":");
      return kind === "commune" ? !communes.has(id) : !provinces.has(id);
    });
    if (unknown.length > 0) {
      throw new DestinationsError(
        unknown.map((k) => `${file}: offices.${JSON.stringify(k)}: no such ${k.split(":")[0]} in knowledge/offices`).join("\n"),
      );
    }
  }
  return parsed.data;
}

/** Reads a YAML or JSON destinations file (YAML is a superset of JSON). */
export async function loadDestinations(file: string, known?: KnownOffices): Promise<Destinations> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DestinationsError(`${file}: cannot read the office destinations file (${code ?? String(error)})`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new DestinationsError(`${file}: not valid YAML/JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  return parseDestinations(value, file, known);
}

export interface Route {
  /** "commune:<id>", "province:<id>" or "unrouted": stored as Registration.routedTo. */
  key: string;
  /** Undefined only for "unrouted" without a central destination: the case waits in the store. */
  destination?: Destination;
}

/** The commune's office, else the province default, else the central unrouted queue. */
export function routeCase(registration: Pick<Registration, "provinceId" | "communeId">, destinations: Destinations): Route {
  const candidates = [
    registration.communeId ? `commune:${registration.communeId}` : undefined,
    `province:${registration.provinceId}`,
  ];
  for (const key of candidates) {
    const destination = key ? destinations.offices[key] : undefined;
    if (key && destination) return { key, destination };
  }
  return destinations.unrouted ? { key: UNROUTED, destination: destinations.unrouted } : { key: UNROUTED };
}

/** The destination of a stored routing key, e.g. for the outbox's deliver function. */
export function destinationFor(key: string, destinations: Destinations): Destination | undefined {
  return key === UNROUTED ? destinations.unrouted : destinations.offices[key];
}
