// OpenTelemetry: with OTEL_DENO=true the server and the Client emit the standard HTTP
// spans and metrics through Deno's exporter, continue a caller's W3C traceparent, and
// put their own on outgoing requests; without it nothing is emitted and no header is
// added. The app runs in a child process exporting OTLP/JSON to a collector here.

import { assert } from "../_assert.ts";
import { serve } from "../../http/serve.ts";

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number };
}

const APP = new URL("./_otel_app.ts", import.meta.url).pathname;
const CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c";
const CALLER_SPAN = "b7ad6b7169203331";

/** Runs the app with `env` against a collector; returns its output and what it exported. */
async function runApp(env: Record<string, string>) {
  const posts: { path: string; body: string }[] = [];
  const collector = serve(async (request) => {
    posts.push({ path: new URL(request.url).pathname, body: await request.text() });
    return Response.json({});
  }, { hostname: "127.0.0.1", port: 0, onListen() {} });
  try {
    const port = (collector.addr as Deno.NetAddr).port;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", APP],
      env: {
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_METRIC_EXPORT_INTERVAL: "200",
        ...env,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    return { stdout: new TextDecoder().decode(output.stdout).trim(), posts };
  } finally {
    await collector.shutdown({ deadline: 0 });
  }
}

function attr(span: OtlpSpan, key: string): string | number | undefined {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (value === undefined) return undefined;
  return value.stringValue ??
    (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue);
}

function wireSpans(posts: { path: string; body: string }[]): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const post of posts) {
    if (post.path !== "/v1/traces") continue;
    for (const resource of JSON.parse(post.body).resourceSpans ?? []) {
      for (const scope of resource.scopeSpans ?? []) {
        if (scope.scope?.name === "@wire/http") spans.push(...scope.spans);
      }
    }
  }
  return spans;
}

function metricNames(posts: { path: string; body: string }[]): Set<string> {
  const names = new Set<string>();
  for (const post of posts) {
    if (post.path !== "/v1/metrics") continue;
    for (const resource of JSON.parse(post.body).resourceMetrics ?? []) {
      for (const scope of resource.scopeMetrics ?? []) {
        if (scope.scope?.name !== "@wire/http") continue;
        for (const metric of scope.metrics ?? []) names.add(metric.name);
      }
    }
  }
  return names;
}

Deno.test({
  name: "telemetry: server and client spans in one trace, continuing the caller's traceparent",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const { stdout, posts } = await runApp({ OTEL_DENO: "true" });
  const spans = wireSpans(posts);
  // OTLP kinds: 2 server, 3 client. Two client requests (outer, inner), two server ones.
  const outer = spans.find((s) => s.kind === 2 && attr(s, "url.path") === "/outer")!;
  const inner = spans.find((s) => s.kind === 2 && attr(s, "url.path") === "/inner")!;
  const clients = spans.filter((s) => s.kind === 3);
  assert.ok(outer && inner, JSON.stringify(spans.map((s) => [s.kind, s.name])));
  assert.equal(clients.length, 2);
  // The first client request carried the caller's traceparent as is.
  assert.equal(outer.traceId, CALLER_TRACE);
  assert.equal(outer.parentSpanId, CALLER_SPAN);
  assert.equal(outer.name, "GET");
  assert.equal(attr(outer, "http.request.method"), "GET");
  assert.equal(attr(outer, "url.query"), "q=1");
  assert.equal(attr(outer, "url.scheme"), "http");
  assert.equal(attr(outer, "http.response.status_code"), 200);
  // The handler's own Client request is a child of the server span, and the inner
  // server span a child of that client span: the traceparent went over the wire.
  const innerClient = clients.find((s) => s.parentSpanId === outer.spanId)!;
  assert.ok(innerClient, "the handler's request is a child of its server span");
  assert.equal(innerClient.traceId, CALLER_TRACE);
  assert.equal(attr(innerClient, "http.response.status_code"), 202);
  assert.equal(attr(innerClient, "server.address"), "127.0.0.1");
  assert.equal(inner.parentSpanId, innerClient.spanId);
  assert.equal(inner.traceId, CALLER_TRACE);
  assert.equal(stdout, `00-${CALLER_TRACE}-${innerClient.spanId}-01`);
  const names = metricNames(posts);
  assert.ok(names.has("http.server.request.duration"), [...names].join());
  assert.ok(names.has("http.client.request.duration"), [...names].join());
  assert.ok(names.has("http.server.active_requests"), [...names].join());
});

Deno.test({
  name: "telemetry: off without OTEL_DENO (no spans, no traceparent added)",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const { stdout, posts } = await runApp({});
  assert.equal(wireSpans(posts).length, 0);
  // The caller's traceparent went to /outer; the handler's own request had none.
  assert.equal(stdout, "none");
});
