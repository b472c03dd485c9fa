import { Link } from 'react-router'

export function NotFound() {
  return (
    <div className="card">
      <h1 className="text-lg font-semibold">Nothing here</h1>
      <p className="mt-2 text-sm">
        This page does not exist. <Link className="link" to="/">Back to the overview</Link>
      </p>
    </div>
  )
}
