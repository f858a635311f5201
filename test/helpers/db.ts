/** The run's PostgreSQL helper lives with ingest; the root tests use the same one. */
export { createTestDatabase } from '../../ingest/test/helpers/test-db';
