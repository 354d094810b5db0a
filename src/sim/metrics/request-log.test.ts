import { describe, expect, it } from 'vitest';
import { REQUESTS_CSV_HEADER, RequestLog } from './request-log.js';

describe('RequestLog', () => {
  it('grows past its capacity and writes rows in blocks', () => {
    const log = new RequestLog(1);
    for (let i = 0; i < 25_000; i++) log.push(i, 0, 1, i, i + 0.5, i + 1, i + 2, 10, 5, 2, 0);
    expect(log.length).toBe(25_000);
    const chunks = [...log.csvChunks()];
    expect(chunks).toHaveLength(1 + 3); // header, then blocks of 10,000 rows
    expect(chunks[0]).toBe(REQUESTS_CSV_HEADER + '\n');
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines[25_000]).toBe('24999,0,1,24999,25000,25001,0.5,10,5,2,0');
    expect(log.toCsv()).toBe(chunks.join(''));
  });

  it('quotes names that need it and rounds times to microseconds', () => {
    const log = new RequestLog();
    log.push(7, 0, 0, 1 / 3, 2 / 3, 1, 2, 1, 1, 0, 3);
    expect(log.toCsv(['a,b'], ['say "hi"']).split('\n')[1]).toBe('7,"a,b","say ""hi""",0.333,1,2,0.333,1,1,0,3');
  });
});
