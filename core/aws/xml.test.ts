// Proves AWS XML is read exactly: template text byte for byte, single-item and empty lists, pretty-printed answers.
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { parseXml, xmlList, xmlOptionalText } from "./xml";

const Doc = z.object({
  R: z.object({
    Body: z.string(),
    One: xmlList(z.string()),
    None: xmlList(z.string()),
    Blank: xmlList(z.string()),
    Missing: xmlList(z.string()),
    Reason: xmlOptionalText,
    Number: z.string(),
  }),
});

describe("parseXml", () => {
  it("keeps text exact, decodes entities and numeric references, and normalises lists", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<R xmlns="https://example.com/doc/">
  <Body>  {"a": "&lt;b&gt; &amp; &quot;c&quot;"}&#xD;&#10;&#233;  </Body>
  <One>
    <member>only</member>
  </One>
  <None/>
  <Blank>
  </Blank>
  <Reason></Reason>
  <Number>007</Number>
</R>`;
    const doc = Doc.parse(parseXml(xml)).R;
    expect(doc.Body).toBe('  {"a": "<b> & "c""}\r\né  ');
    expect(doc.One).toEqual(["only"]);
    expect(doc.None).toEqual([]);
    expect(doc.Blank).toEqual([]);
    expect(doc.Missing).toEqual([]);
    expect(doc.Reason).toBeUndefined();
    expect(doc.Number).toBe("007");
  });

  it("keeps a 50 kB template body intact", () => {
    const body = JSON.stringify({ Metadata: { note: '"quoted" & <angled>'.repeat(2_500) } });
    const escaped = body.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
    const doc = z.object({ T: z.string() }).parse(parseXml(`<T>${escaped}</T>`));
    expect(doc.T).toBe(body);
  });
});
