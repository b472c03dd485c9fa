import type { ReactNode } from 'react'

/** One name and value of a details list (`<dl className="grid grid-cols-[auto_1fr] …">`). */
export function Field({ name, children }: { name: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{name}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  )
}
