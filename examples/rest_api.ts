/**
 * A small in-memory CRUD API for notes: list, create, read, replace, delete, with
 * params, JSON bodies, 400 for bad input, 404 for unknown ids and 405 for wrong methods.
 *
 * Run: deno task example:rest_api, then
 *   curl -i -X POST -d '{"text":"hi"}' http://127.0.0.1:8000/notes
 *   curl -i http://127.0.0.1:8000/notes/1
 *
 * @module
 */
import { compose, type ComposedMiddleware, httpError, Router, serve } from "@wire/http";

/** A stored note. */
export interface Note {
  id: number;
  text: string;
}

/** Largest accepted request body, in bytes. */
export const MAX_NOTE_BYTES = 4096;

// Reads the body but stops (413) as soon as it passes `limit` bytes.
async function readBounded(request: Request, limit: number): Promise<string> {
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      httpError(413, `A note body must be at most ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

async function readNote(request: Request): Promise<string> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("application/json")) httpError(415, "Send the note as application/json");
  const body = await readBounded(request, MAX_NOTE_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    httpError(400, "The body is not valid JSON");
  }
  const text = (value as { text?: unknown } | null)?.text;
  if (typeof text !== "string" || text === "") {
    httpError(400, 'The body must be {"text": "a non-empty string"}');
  }
  return text;
}

/** Builds a fresh app with its own store. */
export function createApp(): { router: Router; handler: ComposedMiddleware } {
  const notes = new Map<number, Note>();
  let nextId = 1;
  const find = (id: string): Note => notes.get(Number(id)) ?? httpError(404, `No note ${id}`);

  const router: Router = new Router({ prefix: "/notes" })
    .get("notes", "/", () => Response.json([...notes.values()]))
    .post("/", async (ctx) => {
      const note = { id: nextId++, text: await readNote(ctx.request) };
      notes.set(note.id, note);
      return Response.json(note, {
        status: 201,
        headers: { location: router.url("note", { id: note.id }) },
      });
    })
    .get("note", "/:id(\\d+)", (ctx) => Response.json(find(ctx.params.id)))
    .put("/:id(\\d+)", async (ctx) => {
      const note = find(ctx.params.id);
      note.text = await readNote(ctx.request);
      return Response.json(note);
    })
    .delete("/:id(\\d+)", (ctx) => {
      notes.delete(find(ctx.params.id).id);
      return new Response(null, { status: 204 });
    });
  return { router, handler: compose(router.routes(), router.allowedMethods()) };
}

/** The app's handler. */
export const handler: ComposedMiddleware = createApp().handler;

if (import.meta.main) {
  serve(handler, { port: Number(Deno.args[0] ?? 8000) });
}
