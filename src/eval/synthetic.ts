/**
 * A knowledge folder N times the size of the real one, for `npm run bench`: every card
 * and source document copied N-1 more times under new ids (links between cards follow
 * their copy), facts, offices and the dictionary shared. The text is the same, so the
 * copies compete with the originals in retrieval exactly as a larger real corpus would.
 */
import { cp, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

async function markdownFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await markdownFiles(path)));
    else if (entry.name.endsWith(".md")) out.push(path);
  }
  return out;
}

/** Writes `factor`× the cards and sources of `knowledgeDir` into `outDir`. */
export async function writeSyntheticKnowledge(knowledgeDir: string, outDir: string, factor: number): Promise<void> {
  await cp(knowledgeDir, outDir, { recursive: true });
  for (const folder of ["cards", "sources"]) {
    for (const file of await markdownFiles(join(knowledgeDir, folder))) {
      const text = await readFile(file, "utf8");
      for (let copy = 2; copy <= factor; copy++) {
        const renamed = text
          .replace(/^id: *(\S+)/m, (_, id: string) => `id: ${id}-copy${copy}`)
          .replace(/^superseded_by: *(\S+)/m, (_, id: string) => `superseded_by: ${id}-copy${copy}`);
        const target = join(outDir, relative(knowledgeDir, file)).replace(/\.md$/, `-copy${copy}.md`);
        await mkdir(join(target, ".."), { recursive: true });
        await writeFile(target, renamed);
      }
    }
  }
}
