import { describe, expect, it } from 'vitest';
import { downloadHeaders, isMultipart, parseMessageId } from './files.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('web file decisions', () => {
  it('serves only sniffed raster images and PDFs under their type; SVG and HTML as bytes', () => {
    const type = (name: string, bytes: Buffer) => downloadHeaders({ name, bytes })['content-type'];
    expect(type('a.png', PNG)).toBe('image/png');
    expect(type('a.pdf', Buffer.from('%PDF-1.7'))).toBe('application/pdf');
    expect(type('a.svg', Buffer.from('<svg onload="alert(1)"/>'))).toBe('application/octet-stream');
    expect(type('a.png', Buffer.from('<html><script>x</script>'))).toBe('application/octet-stream');
  });

  it('names a download by its last path part, with no header injection', () => {
    const headers = downloadHeaders({ name: 'x/..\\"evil"\r\nSet-Cookie: a=b.txt', bytes: PNG });
    expect(headers['content-disposition']).toBe(
      `attachment; filename="_evil___Set-Cookie: a=b.txt"; filename*=UTF-8''%22evil%22%0D%0ASet-Cookie%3A%20a%3Db.txt`,
    );
    expect(headers['content-security-policy']).toBe("default-src 'none'; sandbox");
  });

  it('takes message ids without separators or control bytes', () => {
    expect(parseMessageId('a-1795580363725-000000001-abc123')).toBe(
      'a-1795580363725-000000001-abc123',
    );
    expect(parseMessageId('%3Cmsg%40mail.example%3E')).toBe('<msg@mail.example>');
    for (const bad of ['', '..%2Fx', '%5C', '%0A', '%E0%A4%A', 'x'.repeat(301)]) {
      expect(parseMessageId(bad), bad).toBeUndefined();
    }
    expect(isMultipart('multipart/form-data; boundary=x')).toBe(true);
    expect(isMultipart('application/json')).toBe(false);
  });
});
