import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword, verifyPassword } from '@takt/protocol';
import { generatePassword } from '../accounts';
import { loadUsersFile, saveUsersFile } from '../users';
import {
  exportMosquitto,
  issuedPasswordsText,
  MosquittoExportError,
  parseHandedPasswords,
} from './mosquitto';

/** The files export writes into its directory. */
export const MOSQUITTO_FILES = {
  passwords: 'passwd',
  acl: 'acl',
  issued: 'issued-passwords',
} as const;

export interface ExportToDirOptions {
  usersFile: string;
  outDir: string;
  passwordsFile?: string | undefined;
  issueMissing: boolean;
}

export interface ExportedFiles {
  passwordFile: string;
  aclFile: string;
  /** Where the issued passwords were written (mode 0600), when any were issued. */
  issuedFile: string | undefined;
  issuedFor: string[];
}

/** Written whole or not at all (temp + rename), with the mode it must have. */
function writeAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/**
 * `accounts export mosquitto`: the password and ACL files in `outDir`; issued passwords go to
 * `issued-passwords` (0600) beside them and their scrypt hashes into the users file, so that
 * both brokers take the same password. Secrets are written to files only, never returned
 * for printing.
 */
export async function exportMosquittoToDir(options: ExportToDirOptions): Promise<ExportedFiles> {
  const users = loadUsersFile(options.usersFile);
  const passwords =
    options.passwordsFile === undefined
      ? new Map<string, string>()
      : parseHandedPasswords(readFileSync(options.passwordsFile, 'utf8'));
  const result = await exportMosquitto({
    users,
    passwords,
    issueMissing: options.issueMissing,
    verify: verifyPassword,
    scryptHash: hashPassword,
    newPassword: generatePassword,
  });
  mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const issuedFile = join(options.outDir, MOSQUITTO_FILES.issued);
  if (result.issued.length > 0 && existsSync(issuedFile))
    throw new MosquittoExportError(
      `${issuedFile} exists: hand out and delete the passwords it holds first (or pass it with --passwords)`,
    );
  const passwordFile = join(options.outDir, MOSQUITTO_FILES.passwords);
  const aclFile = join(options.outDir, MOSQUITTO_FILES.acl);
  if (result.issued.length > 0) {
    // The clear passwords first: if anything after fails, they are not lost.
    writeAtomic(issuedFile, issuedPasswordsText(result.issued), 0o600);
    saveUsersFile(options.usersFile, result.users);
  }
  writeAtomic(passwordFile, result.passwordFile, 0o600);
  writeAtomic(aclFile, result.aclFile, 0o644);
  return {
    passwordFile,
    aclFile,
    issuedFile: result.issued.length > 0 ? issuedFile : undefined,
    issuedFor: result.issued.map((i) => i.username),
  };
}
