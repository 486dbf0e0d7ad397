/** Progress on stderr, so stdout carries only the JSON result. */
export const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${message}\n`);
};
