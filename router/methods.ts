/**
 * The request methods Wire's server accepts, and the Router verb for each: the list is
 * http's (`http/methods.ts`), the one the parser accepts.
 *
 * @module
 */

export { type Method, METHODS } from "../http/methods.ts";
