// auth/validator and auth/signer: JWS, JWK and JWKS.
export * from 'jose'
