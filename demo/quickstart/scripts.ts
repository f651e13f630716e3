// The page-side module the quickstart imports: ordinary ES module code, written for Blazor or for us alike.
export function add(a: number, b: number): number {
  return a + b;
}

export async function greet(name: string): Promise<string> {
  return `hello, ${name}`;
}

export function sumBytes(bytes: Uint8Array): number {
  return bytes.reduce((sum, b) => sum + b, 0);
}

export const build = { version: 1 };
