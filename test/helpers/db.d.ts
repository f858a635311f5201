/** A fresh, empty database in the run's PostgreSQL; returns its URL. */
export declare function createTestDatabase(prefix?: string): Promise<string>;
