import { spawn } from 'node:child_process';
import { CLI } from './mcp.js';

export type CliRun = { code: number | null; stdout: string; stderr: string; ms: number };

/**
 * The built CLI run as a person runs it: in `cwd`, with only PATH, HOME (`home`, else `cwd`) and `env`
 * in its environment, `stdin` written and closed; killed if it has not ended after 20 s.
 */
export function runCli(args: string[], opts: { cwd: string; home?: string; env?: Record<string, string>; stdin?: string }): Promise<CliRun> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { PATH: process.env.PATH ?? '', HOME: opts.home ?? opts.cwd, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}
