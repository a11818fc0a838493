import type { QueryRunner } from 'typeorm';

/** On MySQL, text columns hold any script and emoji and compare exactly, whatever the database default. */
export function mysqlText(queryRunner: QueryRunner): { charset?: string; collation?: string } {
  return queryRunner.dataSource.options.type === 'mysql'
    ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' }
    : {};
}
