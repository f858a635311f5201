import { type PackageSignatureFile } from '@takt/protocol';
/** What an archive targets: Node's `process.arch`, `uname -m` names, serialport's prebuild folder. */
export declare const ARCHES: {
    readonly arm64: {
        readonly nodeArch: "arm64";
        readonly uname: readonly ["aarch64", "arm64"];
        readonly prebuilds: "linux-arm64";
    };
    readonly armv7: {
        readonly nodeArch: "arm";
        readonly uname: readonly ["armv7l", "armv8l"];
        readonly prebuilds: "linux-arm";
    };
    readonly x64: {
        readonly nodeArch: "x64";
        readonly uname: readonly ["x86_64", "amd64"];
        readonly prebuilds: "linux-x64";
    };
};
export type EdgeArch = keyof typeof ARCHES;
interface LockEntry {
    version?: string;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, {
        optional?: boolean;
    }>;
    os?: string[];
    cpu?: string[];
    link?: boolean;
}
/** Bare package names the bundle imports (`from "mqtt"`, `import("node-opcua")`), not node:. */
export declare function bundleImports(distDir: string): string[];
/**
 * The lockfile paths (`node_modules/a`, `node_modules/a/node_modules/b`) of `roots` and their
 * dependencies, resolved as Node does (nearest node_modules upwards). A package restricted to
 * other CPUs (`cpu` in the lockfile) is left out; one needed for this CPU but not installed
 * here stops the build with its name, since packaging never downloads.
 */
export declare function dependencyClosure(lock: Record<string, LockEntry>, roots: string[], arch: EdgeArch): string[];
/**
 * Signs an archive with the release key: `<archive>.sig` holds
 * `{v, version, arch, sha256, signature}` over packageSignedText (protocol/src/agent-update.ts).
 */
export declare function signArchive(archive: string, version: string, arch: EdgeArch, privateKeyPem: string): PackageSignatureFile;
export interface PackageResult {
    arch: EdgeArch;
    archive: string;
    /** The `.sig` file, when a signing key was given. */
    signatureFile?: string;
    packages: number;
    files: number;
    bytes: number;
}
/** Builds the agent once, then one archive per architecture into `outDir`. */
export declare function packageEdge(arches?: EdgeArch[], outDir?: string, signingKeyPem?: string): PackageResult[];
export interface PackageArgs {
    arches: EdgeArch[] | undefined;
    signKeyFile: string | undefined;
    outDir: string | undefined;
}
/** `[--arch a]… [--sign-key file] [--out dir] [arch…]`; the key file may come from the env. */
export declare function parsePackageArgs(argv: string[], env: Readonly<Record<string, string | undefined>>): PackageArgs;
export {};
