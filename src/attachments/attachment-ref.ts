/**
 * What the core knows of a file attached to a message, and the one thing it asks
 * of the adapter that made the reference: get the file back, as a URL the
 * provider can fetch (images, videos) or as bytes the bot reads itself (documents).
 */

/**
 * A file attached to a message, as history keeps it: a small reference, never
 * the bytes. The adapter that made it can get the file again (see `AttachmentResolver`).
 */
export interface AttachmentRef {
  /** Adapter-defined key to find the file again (e.g. Discord `channel/message/attachment` ids, Slack file id). */
  readonly ref: string;
  readonly name: string;
  /** MIME type as the platform reported it, if it did. */
  readonly contentType?: string | undefined;
  /** Size in bytes as the platform reported it, if it did. */
  readonly size?: number | undefined;
  /** The last URL the platform gave for it; may have expired. */
  readonly url?: string | undefined;
}

/** A file's first bytes: all of it (`complete`), or as many as were asked for. */
export interface DownloadedFile {
  readonly bytes: Uint8Array;
  /** False when the file is longer than `maxBytes` and the rest was not read. */
  readonly complete: boolean;
}

/**
 * Gets an attachment back from its platform, under the platform's rules (its own
 * hosts only, tokens only there, expired links refreshed). Throws `AttachmentError`
 * with the user's reason when it cannot.
 */
export interface AttachmentResolver {
  /** A URL the provider can fetch, https or `data:`: how images and videos go upstream. */
  resolve(attachment: AttachmentRef, signal: AbortSignal): Promise<string>;
  /**
   * The file's bytes, reading at most `maxBytes` and stopping there (never buffering
   * more): how documents are read, since the bot extracts their text itself.
   */
  download(attachment: AttachmentRef, opts: { readonly maxBytes: number; readonly signal: AbortSignal }): Promise<DownloadedFile>;
}
