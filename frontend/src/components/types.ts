/** InterfaceArea names the interfaces whose title and purpose live under the i18n keys `<area>.*`. */
export type InterfaceArea = 'portal' | 'review' | 'admin' | 'host' | 'tracker' | 'results'
