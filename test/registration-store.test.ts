import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../src/store/store.ts";
import { RegistrationStore, KeyedMutex, periodBounds, vnDay, type RegistrationInput } from "../src/registration/store.ts";
import { CASE_ID_ALPHABET, allocateCaseId, newCaseId } from "../src/registration/case-id.ts";
import { BOM, csvCells, csvHeaders, guardCell, parseCsv, toCsv } from "../src/registration/csv.ts";
import { caseTexts } from "../src/registration/texts.ts";
import { loadKnowledge } from "../src/knowledge/load.ts";
import { KNOWLEDGE_DIR } from "./helpers.ts";

const texts = caseTexts(await loadKnowledge(KNOWLEDGE_DIR));
const CSV_HEADERS = csvHeaders(texts);
import { CASE_ID_RE, type Registration } from "../src/registration/types.ts";
import { captureLogs, memoryStore, tempDir } from "./helpers.ts";

function input(overrides: Partial<RegistrationInput> = {}): RegistrationInput {
  return {
    consentAt: "2026-03-01T02:00:00.000Z",
    fullName: "Nguyễn Thị Hằng",
    phone: "+84912345678",
    birthYear: 1998,
    provinceId: "ha-noi",
    communeId: "ha-noi-bo-de",
    markets: ["japan"],
    trade: "may mặc",
    languageLevel: "N4",
    priorityGroup: "none",
    contactTime: "sau 18 giờ",
    note: "muốn đi đơn hàng thực phẩm",
    routedTo: "commune:ha-noi-bo-de",
    ...overrides,
  };
}

/** A clock the test moves by hand, so dates and periods are exact. */
function clock(start = "2026-03-01T03:00:00.000Z") {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso: string) => void (t = Date.parse(iso)),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});


async function sqliteFile(): Promise<string> {
  const dir = await tempDir("xkld-reg-");
  cleanups.push(dir.cleanup);
  return join(dir.path, "store.sqlite");
}

describe("case ids", () => {
  it("are DK- plus five characters without look-alikes", () => {
    expect(CASE_ID_ALPHABET).not.toMatch(/[01OIL]/);
    for (let i = 0; i < 2000; i++) expect(newCaseId()).toMatch(CASE_ID_RE);
  });

  it("retry when an id is taken", async () => {
    const seq = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5];
    const random = () => seq.shift() ?? 0;
    const id = await allocateCaseId(async (candidate) => candidate === "DK-22222", random);
    expect(id).toBe("DK-34567");
  });

  it("never reuse an id in the store, even when the generator repeats", async () => {
    const kv = await memoryStore();
    // The first ten draws give DK-22222 twice; the store must skip the taken one.
    const seq = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9];
    const regs = new RegistrationStore(kv, { random: () => seq.shift() ?? 0 });
    const a = await regs.submit("telegram:1", input());
    const b = await regs.submit("telegram:2", input({ fullName: "Trần Văn Nam" }));
    expect(a.id).toBe("DK-22222");
    expect(b.id).toBe("DK-BBBBB");
  });
});

describe("RegistrationStore", () => {
  it("submits a registration with an id, status new and the route", async () => {
    const regs = new RegistrationStore(await memoryStore(), { now: clock().now });
    const saved = await regs.submit("telegram:42", input());
    expect(saved.id).toMatch(CASE_ID_RE);
    expect(saved).toMatchObject({ userKey: "telegram:42", status: "new", routedTo: "commune:ha-noi-bo-de", fullName: "Nguyễn Thị Hằng" });
    expect(saved.createdAt).toBe("2026-03-01T03:00:00.000Z");
    expect(await regs.get(saved.id)).toEqual(saved);
    expect(await regs.byUser("telegram:42")).toEqual(saved);
    expect(await regs.byUser("telegram:43")).toBeUndefined();
  });

  it("rejects invalid data before reserving an id", async () => {
    const regs = new RegistrationStore(await memoryStore());
    await expect(regs.submit("telegram:42", input({ phone: "0912345678" }))).rejects.toThrow();
    expect(await regs.caseIds()).toEqual([]);
  });

  it("merges a repeat from the same person into the active case", async () => {
    const c = clock();
    const regs = new RegistrationStore(await memoryStore(), { now: c.now });
    const first = await regs.submit("telegram:42", input());
    await regs.setStatus(first.id, "received", "officer:7");
    c.set("2026-03-02T03:00:00.000Z");
    const outcome = await regs.submitWithOutcome(
      "telegram:42",
      input({ phone: "+84987654321", markets: ["korea", "japan"], provinceId: "cao-bang", communeId: undefined, routedTo: "province:cao-bang" }),
    );
    expect(outcome.merged).toBe(true);
    const second = outcome.registration;
    expect(second.id).toBe(first.id);
    expect(second.phone).toBe("+84987654321");
    expect(second.markets).toEqual(["korea", "japan"]);
    // The place is replaced as a whole: no Hà Nội commune left under Cao Bằng.
    expect(second.communeId).toBeUndefined();
    expect(second.routedTo).toBe("province:cao-bang");
    expect(second.status).toBe("received");
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.updatedAt).toBe("2026-03-02T03:00:00.000Z");
    expect(await regs.list()).toHaveLength(1);
    expect((await regs.audit("2026-03-02")).map((e) => e.action)).toEqual(["merge"]);
  });

  it("opens a new case when the previous one is closed", async () => {
    const regs = new RegistrationStore(await memoryStore());
    const first = await regs.submit("telegram:42", input());
    await regs.setStatus(first.id, "closed", "officer:7");
    const second = await regs.submit("telegram:42", input());
    expect(second.id).not.toBe(first.id);
    expect((await regs.byUser("telegram:42"))?.id).toBe(second.id);
    expect(await regs.list()).toHaveLength(2);
  });

  it("is durable: a new store on the same sqlite file finds the case", async () => {
    const file = await sqliteFile();
    const kv1 = await openStore(`sqlite://${file}`);
    const saved = await new RegistrationStore(kv1).submit("telegram:42", input());
    await kv1.close();
    const kv2 = await openStore(`sqlite://${file}`);
    cleanups.push(() => kv2.close());
    const regs2 = new RegistrationStore(kv2);
    expect(await regs2.get(saved.id)).toEqual(saved);
    expect(await regs2.byUser("telegram:42")).toEqual(saved);
    expect(await regs2.caseIds()).toEqual([saved.id]);
  });

  it("two messages at once from one person create one case (sqlite)", async () => {
    const kv = await openStore(`sqlite://${await sqliteFile()}`);
    cleanups.push(() => kv.close());
    const regs = new RegistrationStore(kv);
    const [a, b] = await Promise.all([
      regs.submit("telegram:42", input()),
      regs.submit("telegram:42", input({ note: "tin nhắn thứ hai" })),
    ]);
    expect(a.id).toBe(b.id);
    expect(await regs.caseIds()).toEqual([a.id]);
    expect((await regs.get(a.id))?.note).toBe("tin nhắn thứ hai");
    // Different people at once: two cases, both in the index (the id list is not overwritten).
    const many = await Promise.all(Array.from({ length: 8 }, (_, i) => regs.submit(`telegram:${100 + i}`, input())));
    expect(new Set(many.map((r) => r.id)).size).toBe(8);
    expect(await regs.caseIds()).toHaveLength(9);
  });

  it("records status changes with who and when, once per change", async () => {
    const regs = new RegistrationStore(await memoryStore(), { now: clock().now });
    const saved = await regs.submit("telegram:42", input());
    const change = await regs.setStatus(saved.id, "received", "officer:7", "2026-03-01T04:00:00.000Z");
    expect(change).toEqual({ caseId: saved.id, from: "new", to: "received", by: "officer:7", at: "2026-03-01T04:00:00.000Z" });
    expect(await regs.setStatus(saved.id, "received", "officer:8")).toBeUndefined();
    await regs.setStatus(saved.id, "counselled", "officer:8", new Date("2026-03-03T04:00:00.000Z"));
    expect((await regs.history(saved.id)).map((c) => [c.from, c.to, c.by])).toEqual([
      ["new", "received", "officer:7"],
      ["received", "counselled", "officer:8"],
    ]);
    expect((await regs.get(saved.id))?.status).toBe("counselled");
    expect(await regs.audit("2026-03-01")).toEqual([
      { at: "2026-03-01T03:00:00.000Z", action: "submit", by: "worker", caseId: saved.id },
      { at: "2026-03-01T04:00:00.000Z", action: "status", by: "officer:7", caseId: saved.id, detail: "new→received" },
    ]);
    await expect(regs.setStatus("DK-ZZZZZ", "received", "officer:7")).rejects.toThrow(/no case DK-ZZZZZ/);
  });

  it("lists by status, route and period (Vietnam days)", async () => {
    const c = clock();
    const regs = new RegistrationStore(await memoryStore(), { now: c.now });
    const a = await regs.submit("telegram:1", input());
    c.set("2026-03-31T18:00:00.000Z"); // 01/04 01:00 in Vietnam
    const b = await regs.submit("telegram:2", input({ provinceId: "cao-bang", communeId: undefined, routedTo: "province:cao-bang" }));
    c.set("2026-04-10T03:00:00.000Z");
    const d = await regs.submit("telegram:3", input({ provinceId: "hue", communeId: undefined, routedTo: "unrouted" }));
    await regs.setStatus(b.id, "contacted", "officer:1");
    const ids = (rs: Registration[]) => rs.map((r) => r.id);
    expect(ids(await regs.list())).toEqual([a.id, b.id, d.id]);
    expect(ids(await regs.list({ status: "contacted" }))).toEqual([b.id]);
    expect(ids(await regs.list({ status: ["new"] }))).toEqual([a.id, d.id]);
    expect(ids(await regs.list({ routedTo: "unrouted" }))).toEqual([d.id]);
    expect(ids(await regs.list({ from: "2026-03-01", to: "2026-03-31" }))).toEqual([a.id]);
    expect(ids(await regs.list({ from: "2026-04" }))).toEqual([b.id, d.id]);
    expect(ids(await regs.list({ from: "2026-04-01", to: "2026-04-01" }))).toEqual([b.id]);
  });

  it("deletes a person's data but keeps anonymous counts", async () => {
    const kv = await memoryStore();
    const regs = new RegistrationStore(kv, { now: clock().now });
    const saved = await regs.submit("telegram:42", input({ markets: ["japan", "korea"], priorityGroup: "poor" }));
    await regs.setStatus(saved.id, "counselled", "officer:7");
    const other = await regs.submit("telegram:43", input({ fullName: "Lò Văn Páo", phone: "+84911111111" }));
    const before = await regs.stats();

    expect(await regs.deleteUserData("telegram:42")).toEqual([saved.id]);
    expect(await regs.get(saved.id)).toBeUndefined();
    expect(await regs.byUser("telegram:42")).toBeUndefined();
    expect(await regs.list()).toEqual([other]);
    const record = await regs.getRecord(saved.id);
    expect(record).toMatchObject({ id: saved.id, provinceId: "ha-noi", communeId: "ha-noi-bo-de", markets: ["japan", "korea"], priorityGroup: "poor", status: "counselled" });
    const raw = JSON.stringify([await kv.get(`reg:case:${saved.id}`), await kv.get("reg:user:telegram:42"), await regs.audit("2026-03-01")]);
    for (const personal of ["Nguyễn Thị Hằng", "912345678", "1998", "may mặc", "N4", "sau 18 giờ", "thực phẩm", "telegram:42"]) {
      expect(raw).not.toContain(personal);
    }
    expect(await regs.stats()).toEqual(before);
    // Officers can still move the anonymous case on; a new registration starts afresh.
    expect(await regs.setStatus(saved.id, "signed_up", "officer:7")).toBeDefined();
    const again = await regs.submit("telegram:42", input());
    expect(again.id).not.toBe(saved.id);
  });

  it("counts what an office reports upward", async () => {
    const c = clock("2026-03-02T03:00:00.000Z");
    const regs = new RegistrationStore(await memoryStore(), { now: c.now });
    const a = await regs.submit("telegram:1", input({ markets: ["japan", "korea"], priorityGroup: "poor" }));
    const b = await regs.submit("telegram:2", input({ markets: ["korea"], priorityGroup: "ethnic_minority", provinceId: "cao-bang", communeId: "cao-bang-tan-giang" }));
    const d = await regs.submit("telegram:3", input({ markets: ["taiwan"], provinceId: "cao-bang", communeId: undefined }));
    await regs.setStatus(a.id, "counselled", "o", "2026-03-10T03:00:00.000Z");
    await regs.setStatus(a.id, "signed_up", "o", "2026-04-02T03:00:00.000Z");
    await regs.setStatus(b.id, "signed_up", "o", "2026-03-20T03:00:00.000Z"); // skipping counselled still counts as counselled
    await regs.setStatus(d.id, "unreachable", "o", "2026-03-21T03:00:00.000Z");

    const march = await regs.stats({ from: "2026-03", to: "2026-03" });
    expect(march).toMatchObject({ registered: 3, counselled: 2, signedUp: 1 });
    expect(march.byStatus).toMatchObject({ signed_up: 2, unreachable: 1, new: 0 });
    expect(march.byMarket).toEqual({
      japan: { registered: 1, counselled: 1, signedUp: 0 },
      korea: { registered: 2, counselled: 2, signedUp: 1 },
      taiwan: { registered: 1, counselled: 0, signedUp: 0 },
    });
    expect(march.byProvince).toEqual({
      "ha-noi": { registered: 1, counselled: 1, signedUp: 0 },
      "cao-bang": { registered: 2, counselled: 1, signedUp: 1 },
    });
    expect(march.byCommune).toEqual({
      "ha-noi-bo-de": { registered: 1, counselled: 1, signedUp: 0 },
      "cao-bang-tan-giang": { registered: 1, counselled: 1, signedUp: 1 },
      "": { registered: 1, counselled: 0, signedUp: 0 },
    });
    expect(march.byPriorityGroup.poor).toEqual({ registered: 1, counselled: 1, signedUp: 0 });
    expect(march.byPriorityGroup.ethnic_minority).toEqual({ registered: 1, counselled: 1, signedUp: 1 });

    const april = await regs.stats({ from: "2026-04-01", to: "2026-04-30" });
    expect(april).toMatchObject({ registered: 0, counselled: 0, signedUp: 1 });
    expect(april.byMarket).toEqual({
      japan: { registered: 0, counselled: 0, signedUp: 1 },
      korea: { registered: 0, counselled: 0, signedUp: 1 },
    });
    expect((await regs.stats()).registered).toBe(3);
  });

  it("reads periods in Vietnam time", () => {
    const [from, to] = periodBounds({ from: "2026-03-01", to: "2026-03-31" });
    expect(new Date(from).toISOString()).toBe("2026-02-28T17:00:00.000Z");
    expect(new Date(to).toISOString()).toBe("2026-03-31T17:00:00.000Z");
    expect(periodBounds({ from: "2026-12", to: "2026-12" }).map((ms) => new Date(ms).toISOString())).toEqual([
      "2026-11-30T17:00:00.000Z",
      "2026-12-31T17:00:00.000Z",
    ]);
    expect(vnDay("2026-03-31T18:00:00.000Z")).toBe("2026-04-01");
    expect(() => periodBounds({ from: "tháng ba" })).toThrow(/YYYY-MM-DD/);
  });

  it("logs events and case ids, never the person's data", async () => {
    const { logger, text: logText } = captureLogs();
    const regs = new RegistrationStore(await memoryStore(), { logger });
    const saved = await regs.submit("telegram:42", input());
    await regs.submit("telegram:42", input());
    await regs.deleteUserData("telegram:42");
    const log = logText();
    expect(log).toContain(saved.id);
    expect(log).toContain("personal data deleted");
    for (const personal of ["Nguyễn", "912345678", "telegram:42", "may mặc"]) expect(log).not.toContain(personal);
  });

  it("serialises critical sections per key", async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const slow = (name: string, ms: number) =>
      mutex.run("k", async () => {
        order.push(`${name}>`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`<${name}`);
      });
    await Promise.all([slow("a", 20), slow("b", 1), mutex.run("other", async () => void order.push("x"))]);
    expect(order).toEqual(["a>", "x", "<a", "b>", "<b"]);
  });
});

describe("CSV export", () => {
  const base: Registration = {
    ...(input() as Omit<Registration, "id" | "userKey" | "status" | "createdAt" | "updatedAt" | "routedTo">),
    id: "DK-7F3K2",
    userKey: "telegram:42",
    status: "signed_up",
    routedTo: "commune:ha-noi-bo-de",
    createdAt: "2026-03-05T07:30:00.000Z",
    updatedAt: "2026-03-05T07:30:00.000Z",
  };
  const tricky: Registration = {
    ...base,
    id: "DK-ABCDE",
    fullName: 'Hoàng "Út" Thị Ngọc, Ánh',
    note: "=HYPERLINK(\"http://evil\",\"bấm\")\r\ndòng hai",
    trade: "-thợ hàn",
    languageLevel: "@N3",
    contactTime: "'sáng",
    priorityGroup: "relative_of_merit",
    markets: ["japan", "korea"],
    communeId: undefined,
    placeTyped: "quận Long Biên",
    status: "new",
  };

  it("starts with a BOM, uses CRLF and Vietnamese headers", () => {
    const csv = toCsv([base], { texts });
    expect(csv.startsWith(BOM)).toBe(true);
    const lines = csv.slice(1).split("\r\n");
    expect(lines[0]).toBe(CSV_HEADERS.join(","));
    expect(lines[0]).toBe(
      "Mã hồ sơ,Họ tên,Điện thoại,Năm sinh,Tỉnh/thành,Xã/phường,Thị trường,Nghề,Ngoại ngữ,Đối tượng ưu tiên,Giờ liên hệ,Ghi chú,Trạng thái,Ngày đăng ký",
    );
    expect(lines[1]).toBe(
      "DK-7F3K2,Nguyễn Thị Hằng,'+84912345678,1998,ha-noi,ha-noi-bo-de,japan,may mặc,N4,Không,sau 18 giờ,muốn đi đơn hàng thực phẩm,Đã ký với doanh nghiệp/EPS,2026-03-05 14:30",
    );
    expect(lines[2]).toBe("");
    expect(csv.replaceAll("\r\n", "")).not.toContain("\n");
    expect(Buffer.from(csv, "utf8").subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it("quotes per RFC 4180 and guards against formulas", () => {
    const csv = toCsv([tricky], { texts });
    expect(csv).toContain('"Hoàng ""Út"" Thị Ngọc, Ánh"');
    expect(csv).toContain('"\'=HYPERLINK(""http://evil"",""bấm"")\r\ndòng hai"');
    expect(csv).toContain(",'-thợ hàn,'@N3,Thân nhân người có công,''sáng,");
    expect(csv).toContain(",quận Long Biên,japan; korea,");
    for (const v of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(guardCell(v)).toBe(`'${v}`);
    expect(guardCell("Hà Nội")).toBe("Hà Nội");
  });

  it("parses back identical (round trip), names and ';' included", () => {
    const names = { province: (id: string) => ({ "ha-noi": "Hà Nội" })[id], market: (id: string) => ({ japan: "Nhật Bản" })[id] };
    for (const options of [{ texts }, { texts, names }, { texts, names, delimiter: ";" as const }]) {
      const csv = toCsv([base, tricky], options);
      const rows = parseCsv(csv, { delimiter: options.delimiter ?? "," });
      expect(rows).toEqual([[...CSV_HEADERS], csvCells(base, options), csvCells(tricky, options)]);
    }
    expect(csvCells(base, { texts, names })[4]).toBe("Hà Nội");
    expect(csvCells(tricky, { texts, names })[6]).toBe("Nhật Bản; korea");
    // Vietnamese intact, byte for byte (NFC preserved).
    expect(parseCsv(toCsv([tricky], { texts }))[1]![1]).toBe(tricky.fullName);
  });

  it("parses LF files and unquoted last lines", () => {
    expect(parseCsv('a,b\n"x\ny",z')).toEqual([["a", "b"], ["x\ny", "z"]]);
    expect(parseCsv("a,\r\n,b\r\n")).toEqual([["a", ""], ["", "b"]]);
    expect(() => parseCsv('"open')).toThrow(/not closed/);
  });
});
