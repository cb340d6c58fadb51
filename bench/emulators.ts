// The S3/SQS and SES emulators in a process of their own, so that a benchmark can tell their
// CPU from the service's. Prints one JSON line with the endpoints; SIGTERM stops them.
import { startEmulators } from '../src/dev/services.ts';

const emulators = await startEmulators(0, 0);
process.once('SIGTERM', () => void emulators.stop().then(() => process.exit(0)));
console.log(JSON.stringify({ endpoint: emulators.endpoint, sesEndpoint: emulators.sesEndpoint }));
