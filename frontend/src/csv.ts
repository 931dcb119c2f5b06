// CSV files made in the browser: templates to fill in and lists to keep. Excel in China opens a CSV
// as GBK unless it starts with a UTF-8 byte order mark, so every file written here has one.

/** csvField quotes a value when it needs it (comma, quote, line break, or leading/trailing space). */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value)
  // Values are written exactly (a generated password must survive the round trip), only quoted.
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** toCSV joins rows into CSV text with CRLF line ends and a UTF-8 byte order mark. */
export function toCSV(rows: readonly (readonly unknown[])[]): string {
  return '\uFEFF' + rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n'
}

/** downloadText saves text as a file through a temporary link. */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const blob = new Blob([text], { type })
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  link.style.display = 'none'
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
