// The printable sheet of audience ticket codes (大众评审票): a grid of tickets to cut out, each with
// the event's title, the code and the vote page's QR code. Built with DOM calls in a hidden frame
// (never HTML strings: the title is user input), so only the sheet is printed.

/** TicketSheetText is what the sheet says, already in the user's language. */
export interface TicketSheetText {
  lang: string
  title: string
  heading: string
  instructions: string
  qrAlt: string
  voteURL: string
}

/** printTickets prints codes as tickets; qr is a data URL of the vote page's QR code. */
export function printTickets(codes: readonly string[], qr: string, text: TicketSheetText): void {
  const frame = document.createElement('iframe')
  frame.setAttribute('aria-hidden', 'true')
  frame.style.position = 'fixed'
  frame.style.width = '0'
  frame.style.height = '0'
  frame.style.border = '0'
  document.body.appendChild(frame)
  const doc = frame.contentDocument
  const win = frame.contentWindow
  if (!doc || !win) {
    frame.remove()
    return
  }
  doc.open()
  doc.close()
  doc.documentElement.lang = text.lang
  const style = doc.createElement('style')
  style.textContent =
    '@page{size:A4;margin:10mm}body{margin:0;font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#000}' +
    '.grid{display:flex;flex-wrap:wrap}.ticket{box-sizing:border-box;width:50%;height:62mm;padding:4mm;border:1px dashed #666;display:flex;align-items:center;break-inside:avoid;page-break-inside:avoid}' +
    '.ticket img{width:36mm;height:36mm;margin-right:4mm}.t{font-size:11px;margin:0 0 2mm}.h{font-size:14px;font-weight:700;margin:0 0 2mm}' +
    '.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:24px;font-weight:700;letter-spacing:2px;margin:0 0 2mm}.i{font-size:10px;margin:0}.u{font-size:9px;word-break:break-all;margin:1mm 0 0}'
  doc.head.appendChild(style)
  const grid = doc.createElement('div')
  grid.className = 'grid'
  doc.body.appendChild(grid)
  const images: HTMLImageElement[] = []
  for (const code of codes) {
    const ticket = doc.createElement('div')
    ticket.className = 'ticket'
    const img = doc.createElement('img')
    img.alt = text.qrAlt
    images.push(img)
    ticket.appendChild(img)
    const body = doc.createElement('div')
    const add = (tag: string, value: string, className: string) => {
      const el = doc.createElement(tag)
      el.textContent = value
      el.className = className
      body.appendChild(el)
    }
    add('p', text.title, 't')
    add('p', text.heading, 'h')
    add('p', code, 'code')
    add('p', text.instructions, 'i')
    add('p', text.voteURL, 'u')
    ticket.appendChild(body)
    grid.appendChild(ticket)
  }
  let waiting = images.length
  const done = () => {
    win.focus()
    win.print()
    setTimeout(() => frame.remove(), 1000)
  }
  if (waiting === 0) {
    done()
    return
  }
  for (const img of images) {
    const settle = () => {
      waiting--
      if (waiting === 0) done()
    }
    img.onload = settle
    img.onerror = settle
    img.src = qr
  }
}
