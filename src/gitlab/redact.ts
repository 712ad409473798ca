/**
 * Keeping the token out of every output: a redactor replaces it (as given and trimmed, each as is, URL-encoded and in
 * base64) in any text, before any text is cut short; the GitLab command runs stdout, stderr, reports and error messages
 * through it, on top of the client never putting the token anywhere but the `PRIVATE-TOKEN` request header.
 */
export const REDACTED = '[REDACTED]';

export type Redact = (text: string) => string;

export function redactor(...secrets: (string | undefined)[]): Redact {
  const forms = new Set<string>();
  for (const given of secrets) {
    // as given, and as sent: a header value loses its surrounding whitespace (a token read from a file ends in \n)
    for (const s of new Set([given, given?.trim()])) {
      if (!s) continue;
      forms.add(s);
      forms.add(encodeURIComponent(s));
      forms.add(Buffer.from(s).toString('base64'));
    }
  }
  const list = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const f of list) if (out.includes(f)) out = out.split(f).join(REDACTED);
    return out;
  };
}
