/**
 * The lifecycle of a server connection (connection.ts): one integer, its phase, that
 * only moves forward:
 *
 * ```text
 *  NEW ──first byte──▶ READING ────keep-alive ends (1)────▶ LAST_REQUEST
 *   │                    │                                      │
 *   │ head timeout,      │ a refused head, a failed body (3),   │ its END, its body
 *   │ EOF, shutdown      │ head timeout, EOF, shutdown between  │ failing (3), EOF,
 *   │                    │ messages, (2)                        │ (2)
 *   ▼                    ▼                                      ▼
 *  ANSWERING ◀──────────────────────────────────────────────────┘
 *   │ every answer written; the client has not ended its side and the
 *   │ transport can half-close (otherwise straight to CLOSED)
 *   │                     ANSWERING ──the 101 of an upgrade is written──▶ UPGRADED
 *   ▼                     UPGRADED ──the new protocol reports its end──▶ CLOSED
 *  LINGERING ──EOF, or LINGER_MS──▶ CLOSED ──both loops stopped: onClosed──▶ RELEASED
 *
 *  any phase ──#destroy──▶ CLOSED: a write failed, the keep-alive idle timeout, abort()
 *  (shutdown deadline), sendTimeout, a body failing mid-response, shutdown of an idle
 *  connection
 *
 *  (1) a head without keep-alive (Connection: close, HTTP/1.0, maxRequestsPerConnection),
 *      shutdown mid-message, an unread body too big to drain, or the writer deciding so
 *  (2) a written batch whose last response closed the connection
 *  (3) past maxBodyBytes, requestTimeout, a bad chunk, or more unread than maxDrainBytes
 *  An Upgrade request is the last request parsed (ANSWERING once its head, and any body,
 *  is read): the bytes behind it belong to the new protocol and are kept for it.
 * ```
 *
 * Beside the phase, four flags, none of them a phase: `#reading` and the write loop's
 * `busy` say whether each loop runs (they come and go within one phase, and RELEASED
 * waits for both to stop); `#shuttingDown` and `#inputEnded` say why keep-alive ends
 * (they can happen in any phase, both at once, and they change what the last answer says
 * and whether the connection lingers, not which phase it is in).
 *
 * @module
 */

/** Opened; nothing received yet. A head timeout here closes quietly (nothing was asked). */
export const PHASE_NEW = 0;
/** Requests are parsed and answered; the connection is kept alive. */
export const PHASE_READING = 1;
/** The message being received is the last one parsed; at its END, ANSWERING. */
export const PHASE_LAST_REQUEST = 2;
/**
 * Nothing more is parsed. The socket is still read for the body in progress (or to see
 * EOF); the responses due are written, then the connection ends.
 */
export const PHASE_ANSWERING = 3;
/**
 * The 101 of an upgrade went out: the socket belongs to the new protocol (a WebSocket,
 * a raw stream). HTTP is over: no parser, no timeouts; the connection only stays as the
 * server's handle to shut the protocol down, until it reports its end.
 */
export const PHASE_UPGRADED = 4;
/** The write side is shut; what the client still sends is read and dropped, then close. */
export const PHASE_LINGERING = 5;
/** The transport is closed; the loops are unwinding. */
export const PHASE_CLOSED = 6;
/** Both loops stopped and `onClosed` was called: nothing of the connection runs. */
export const PHASE_RELEASED = 7;
