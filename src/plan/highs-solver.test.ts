import { describe, expect, it } from 'vitest';
import { loadSolver } from './highs-solver.js';

const workshop = `Maximize
 profit: 30 chairs + 50 tables
Subject To
 carpentry: chairs + 2 tables <= 40
 finishing: 2 chairs + tables <= 50
Generals
 chairs tables
End
`;

describe('loadSolver', () => {
  it('loads HiGHS once', async () => {
    expect(await loadSolver()).toBe(await loadSolver());
  });

  it('solves a MIP and reports values by name, without duals', async () => {
    const solution = (await loadSolver()).solve(workshop, { mipRelGap: 0 });
    expect(solution).toMatchObject({ status: 'optimal', hasSolution: true, objective: 1100, mipGap: 0 });
    expect(solution.columnValues.get('chairs')).toBeCloseTo(20, 9);
    expect(solution.columnValues.get('tables')).toBeCloseTo(10, 9);
    expect(solution.rowValues.get('carpentry')).toBeCloseTo(40, 9);
    expect(solution.rowDuals.size).toBe(0);
  });

  it('reports LP row duals as d(objective)/d(rhs) by name, objective constants included', async () => {
    const lp = workshop.replace('Generals\n chairs tables\n', '').replace('50 tables', '50 tables + 7');
    const solution = (await loadSolver()).solve(lp);
    expect(solution.status).toBe('optimal');
    expect(solution.objective).toBeCloseTo(1100 + 7, 9);
    // Both rows bind at chairs 20, tables 10: duals solve 30 = y1 + 2 y2, 50 = 2 y1 + y2.
    expect(solution.rowDuals.get('carpentry')).toBeCloseTo(70 / 3, 9);
    expect(solution.rowDuals.get('finishing')).toBeCloseTo(10 / 3, 9);
  });

  it('maps infeasible, unbounded and unreadable models', async () => {
    const solver = await loadSolver();
    const infeasible = solver.solve('Minimize\n obj: x\nSubject To\n c1: x + y >= 1\n c2: x + y <= 0\nGenerals\n x y\nEnd\n');
    expect(infeasible).toMatchObject({ status: 'infeasible', hasSolution: false });
    expect(solver.solve('Minimize\n obj: - x\nSubject To\n c1: x + y >= 1\nEnd\n').status).toBe('unbounded');
    const broken = solver.solve('Minimize\n obj: x +\nSubject To\n c1: >= 1 x\nEnd\n');
    expect(broken.status).toBe('error');
    expect(broken.detail).toMatch(/HiGHS/);
  });

  it('reports a time limit reached before any solution', async () => {
    const solution = (await loadSolver()).solve(workshop, { timeLimitSeconds: 0 });
    expect(solution.status).toBe('time-limit');
    expect(solution.hasSolution).toBe(false);
  });
});
