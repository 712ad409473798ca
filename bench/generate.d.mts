/** Types of bench/generate.mjs. */
export function generatePipeline(n: number): string;
export function generateDensePipeline(n: number): string;
export * from '../workloads/shapes.mjs';
