/** The API's response envelope (SPEC.md): `{success, data, message}` or `{success:false, error:{code, message, detail}}`. */
export const ok = <T>(data: T, message = 'OK') => ({ success: true as const, data, message });

export const errorBody = (code: string, message: string, detail?: unknown) => ({
  success: false as const,
  error: { code, message, ...(detail === undefined ? {} : { detail }) },
});
