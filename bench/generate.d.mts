/** Types of bench/generate.mjs, for the tests that use its generators. */
export function generatePipeline(n: number): string;
export function generateDensePipeline(n: number): string;
export function generateDocumentedPipeline(n: number): string;
export function generateManyIncludes(n: number): Record<string, string>;
export function generateIncludeChain(n: number): Record<string, string>;
export function generateExtendsOne(n: number): string;
export function generateMergeKeys(n: number): string;
export function writeRepo(dir: string, generated: string | Record<string, string>): Promise<string>;
