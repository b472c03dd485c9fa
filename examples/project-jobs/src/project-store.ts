/** One record of a project's data. */
export interface ProjectRecord {
  name: string
  email: string
}

/**
 * The projects' data that the jobs import, export and validate: in a real app, the app's own tables.
 * Kept in memory here, per owner (a team) and project.
 */
export class ProjectStore {
  readonly #records = new Map<string, ProjectRecord[]>()

  records(owner: string, projectId: string): ProjectRecord[] {
    return this.#records.get(key(owner, projectId)) ?? []
  }

  /** Adds records (or replaces them all); answers how many were added. */
  write(owner: string, projectId: string, records: readonly ProjectRecord[], replace = false): number {
    const next = replace ? [...records] : [...this.records(owner, projectId), ...records]
    this.#records.set(key(owner, projectId), next)
    return records.length
  }
}

const key = (owner: string, projectId: string) => JSON.stringify([owner, projectId])
