/** benchBulk (the bench's bulk measure, in workloads/ so that no test imports bench/) gives sane numbers. */
import { benchBulk } from '../../workloads/bulk.js';

test('benchBulk measures repositories per second and the single-file time', async () => {
  const r = await benchBulk(30);
  expect(r.reposPerSecond).toBeGreaterThan(0);
  expect(r.singleFileMs).toBeGreaterThan(0);
  expect(Number.isFinite(r.reposPerSecond)).toBe(true);
});
