import { Agent } from './agent';
import { AgentConfigError, loadAgentConfig, parseAgentArgs } from './agent-config';
import { consoleLog } from './log';

const USAGE = `Usage: node dist/apps/agent/src/main.js [--config agent.yml]

Tails log files and ships them to a Lookout server. Settings come from the YAML file, and
LOOKOUT_URL, LOOKOUT_API_KEY, LOOKOUT_SOURCE, LOOKOUT_PATHS (comma-separated globs),
LOOKOUT_START_AT and LOOKOUT_STATE_DIR win over it. See docs/agent.md.`;

/** 0 after SIGINT/SIGTERM, 1 when the server refused the lines, 2 for a bad configuration. */
async function main(): Promise<number> {
  const args = parseAgentArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const agent = await Agent.start(loadAgentConfig(args.configPath, process.env));
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const failure = await Promise.race([signalled.then(() => undefined), agent.failed]);
  consoleLog.info(failure ? 'stopping' : 'stopping: sending what was read, saving offsets');
  await agent.stop();
  return failure ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    consoleLog.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof AgentConfigError ? 2 : 1);
  },
);
