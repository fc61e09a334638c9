// Types of platform.cjs, for the TypeScript that reads it (tests, lib/native.ts).
export declare const GLIBC_FLOOR: string;
export declare const PREBUILT: Record<string, string>;
export declare function libcOf(): string;
export declare function describeMachine(): string;
export declare function platformHelp(what: string): string;
