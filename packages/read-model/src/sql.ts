/** Quotes a schema-qualified table name for raw SQL; the schema name is validated by the config. */
export function qualified(schema: string, table: string): string {
  return `"${schema.replaceAll('"', '""')}"."${table}"`;
}
