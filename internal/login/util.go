package login

import "strconv"

func strconvQuote(s string) string { return strconv.QuoteToASCII(s) }
