/** An HTTP token (RFC 9110): what Go accepts as a header name, a method or a cookie name. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
