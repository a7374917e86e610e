// serveFile's conditional requests (RFC 9110 §13): the precondition table, evaluated in
// §13.2.2's order (If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since), and
// HTTP-dates in the two obsolete forms recipients must accept (§5.6.7).

import { assert } from "../../_assert.ts";
import { serveFile } from "../../../http/serve_file.ts";
import { formatHttpDate } from "../../../http/_codec/date.ts";
import { makeSite } from "./_fixtures.ts";

function get(headers: HeadersInit = {}, method = "GET"): Request {
  return new Request("http://localhost/", { method, headers });
}

/** One row of the precondition table: request fields → expected status. */
interface Precondition {
  name: string;
  method?: string;
  headers: (etag: string, lastModified: string, earlier: string, later: string) => HeadersInit;
  status: number;
}

const PRECONDITIONS: Precondition[] = [
  { name: "If-None-Match matching → 304", headers: (e) => ({ "if-none-match": e }), status: 304 },
  {
    name: "If-None-Match weak form matches (weak comparison)",
    headers: (e) => ({ "if-none-match": `W/${e}` }),
    status: 304,
  },
  {
    name: "If-None-Match in a list",
    headers: (e) => ({ "if-none-match": `"zzz", ${e}` }),
    status: 304,
  },
  { name: "If-None-Match *", headers: () => ({ "if-none-match": "*" }), status: 304 },
  {
    name: "If-None-Match other tag → 200",
    headers: () => ({ "if-none-match": '"other"' }),
    status: 200,
  },
  {
    name: "If-None-Match matching on HEAD → 304",
    method: "HEAD",
    headers: (e) => ({ "if-none-match": e }),
    status: 304,
  },
  {
    name: "If-Modified-Since = Last-Modified → 304",
    headers: (_e, lm) => ({ "if-modified-since": lm }),
    status: 304,
  },
  {
    name: "If-Modified-Since later → 304",
    headers: (_e, _lm, _x, later) => ({ "if-modified-since": later }),
    status: 304,
  },
  {
    name: "If-Modified-Since earlier → 200",
    headers: (_e, _lm, earlier) => ({ "if-modified-since": earlier }),
    status: 200,
  },
  {
    name: "If-Modified-Since not a date → ignored",
    headers: () => ({ "if-modified-since": "yesterday" }),
    status: 200,
  },
  {
    name: "If-None-Match (not matching) wins over a matching If-Modified-Since",
    headers: (_e, lm) => ({ "if-none-match": '"other"', "if-modified-since": lm }),
    status: 200,
  },
  { name: "If-Match matching → 200", headers: (e) => ({ "if-match": e }), status: 200 },
  { name: "If-Match * → 200", headers: () => ({ "if-match": "*" }), status: 200 },
  { name: "If-Match other tag → 412", headers: () => ({ "if-match": '"other"' }), status: 412 },
  {
    name: "If-Match weak form → 412 (strong comparison)",
    headers: (e) => ({ "if-match": `W/${e}` }),
    status: 412,
  },
  {
    name: "If-Unmodified-Since earlier → 412",
    headers: (_e, _lm, earlier) => ({ "if-unmodified-since": earlier }),
    status: 412,
  },
  {
    name: "If-Unmodified-Since = Last-Modified → 200",
    headers: (_e, lm) => ({ "if-unmodified-since": lm }),
    status: 200,
  },
  {
    name: "If-Match (matching) makes If-Unmodified-Since ignored",
    headers: (e, _lm, earlier) => ({ "if-match": e, "if-unmodified-since": earlier }),
    status: 200,
  },
  {
    name: "If-Match is evaluated before If-None-Match (412, not 304)",
    headers: (e) => ({ "if-match": '"other"', "if-none-match": e }),
    status: 412,
  },
  {
    name: "If-Unmodified-Since is evaluated before If-None-Match",
    headers: (e, _lm, earlier) => ({ "if-unmodified-since": earlier, "if-none-match": e }),
    status: 412,
  },
];

Deno.test("serveFile evaluates preconditions in RFC 9110 §13.2.2's order", async () => {
  await using site = await makeSite();
  const path = `${site.root}/hello.txt`;
  const first = await serveFile(get(), path);
  await first.body?.cancel();
  const etag = first.headers.get("etag")!;
  const lastModified = first.headers.get("last-modified")!;
  const ms = Date.parse(lastModified);
  const earlier = formatHttpDate(ms - 60_000);
  const later = formatHttpDate(ms + 60_000);
  for (const row of PRECONDITIONS) {
    const response = await serveFile(
      get(row.headers(etag, lastModified, earlier, later), row.method),
      path,
    );
    assert.equal(response.status, row.status, row.name);
    if (row.status === 304) {
      assert.equal(response.headers.get("etag"), etag, row.name);
      assert.equal(response.headers.get("last-modified"), lastModified, row.name);
      assert.equal(response.headers.get("content-type"), null, row.name);
      assert.equal(response.body, null, row.name);
    }
    await response.body?.cancel();
  }
});

Deno.test("serveFile reads If-Modified-Since in the obsolete RFC 850 and asctime forms", async () => {
  await using site = await makeSite();
  const path = `${site.root}/hello.txt`;
  const first = await serveFile(get(), path);
  await first.body?.cancel();
  const date = new Date(Date.parse(first.headers.get("last-modified")!));
  const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${
    two(date.getUTCSeconds())
  }`;
  const rfc850 = `${days[date.getUTCDay()]}, ${two(date.getUTCDate())}-${
    months[date.getUTCMonth()]
  }-${two(date.getUTCFullYear() % 100)} ${time} GMT`;
  const asctime = `${days[date.getUTCDay()].slice(0, 3)} ${months[date.getUTCMonth()]} ${
    String(date.getUTCDate()).padStart(2, " ")
  } ${time} ${date.getUTCFullYear()}`;
  for (const value of [rfc850, asctime]) {
    const response = await serveFile(get({ "if-modified-since": value }), path);
    assert.equal(response.status, 304, value);
  }
});
