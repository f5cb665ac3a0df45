import { defineProject } from 'vitest/config';

// The real-client suites spawn the AWS CLI and boto3 and run whole signing jobs: give them room on a busy 2-core CI machine.
export default defineProject({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
