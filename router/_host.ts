/**
 * The Router's `host` option (internal): a test built once from a string, a list of
 * strings or a RegExp.
 *
 * @module
 */

/** Tells whether a request host (`ctx.host`) is one a router serves. */
export type HostTest = (host: string) => boolean;

/** Builds the test for a `host` option; throws a TypeError for anything else. */
export function hostTest(option: string | readonly string[] | RegExp): HostTest {
  if (typeof option === "string") {
    const host = option.toLowerCase();
    return (input) => input === host;
  }
  if (Array.isArray(option)) {
    const hosts = new Set<string>();
    option.forEach((host, i) => {
      if (typeof host !== "string") {
        throw new TypeError(`Cannot set router host: entry ${i} is ${typeof host}, not a string`);
      }
      hosts.add(host.toLowerCase());
    });
    return (input) => hosts.has(input);
  }
  if (option instanceof RegExp) {
    return (input) => {
      option.lastIndex = 0;
      return option.test(input);
    };
  }
  throw new TypeError(
    `Cannot set router host: expected a string, an array of strings or a RegExp, got ${typeof option}`,
  );
}
