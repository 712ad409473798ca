/** Types of workloads/shapes.mjs. */
export function generateDocumentedPipeline(n: number): string;
export function generateManyIncludes(n: number): Record<string, string>;
export function generateIncludeChain(n: number): Record<string, string>;
export function generateExtendsOne(n: number): string;
export function generateMergeKeys(n: number): string;
export function writeRepo(dir: string, generated: string | Record<string, string>): Promise<string>;
