import * as z from "zod";
import { IsoTime, Lock, QueueFields, ResourceStatus, type ProjectRecord, type ResourceKind } from "../../core/contract";
import { kindFacts, registerKind, type KindFacts } from "../../core/kinds";
import { stackName, TAG_KEYS } from "../../core/naming";
import { readStackroomMetadata, TemplateMetadataError } from "../../core/template-metadata";
import { defineKind, storedSchema, type ChangeRequest, type Operation, type OperationOutcome } from "../../durable-objects/kinds/kind";
import { assertUnlocked, lockResource, refused, roomErrorFromAws } from "../../durable-objects/kinds/kit";
import { kindModule, registerKindModule } from "../../durable-objects/kinds/index";
import type { RoomContext } from "../../durable-objects/room-context";
import { RoomError } from "../../durable-objects/room-error";

/**
 * A test-only resource kind, written as a plugin would be: a note is one SSM parameter in its own
 * stack `stackroom-<project>-note-<name>`. It adds a row to the kind table and a module to the
 * room's registry at run time, and touches no shared file: what it proves is that the shared code
 * (stack naming, webhooks, the operation and queue, healing, the view, the snapshot and the live
 * frames) serves a kind it was never written for.
 */
export const NOTE = "note" as ResourceKind;

const NoteName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "A note's name is lowercase letters, digits and hyphens.");
export const NoteSpec = z.object({ text: z.string().min(1).max(200) });
export type NoteSpec = z.infer<typeof NoteSpec>;

export const Note = z.object({
  name: z.string(),
  spec: NoteSpec,
  status: ResourceStatus,
  statusReason: z.string().optional(),
  lock: Lock.optional(),
  operationId: z.string().optional(),
  updatedAt: IsoTime,
  ...QueueFields,
});
export type Note = z.infer<typeof Note>;

const StoredNote = storedSchema(Note, NoteSpec, {});
type StoredNote = z.infer<typeof StoredNote>;

const NoteChange = z.discriminatedUnion("action", [
  z.object({ action: z.literal("create"), name: NoteName, text: NoteSpec.shape.text }),
  z.object({ action: z.literal("update"), name: NoteName, text: NoteSpec.shape.text }),
  z.object({ action: z.literal("delete"), name: NoteName }),
]);
type NoteChange = z.infer<typeof NoteChange>;

const NOTE_FACTS: KindFacts<typeof Note> = {
  listKey: "notes",
  view: Note,
  noun: "note",
  definite: "the note",
  label: (name) => `note “${name}”`,
  singular: "note",
  plural: "notes",
  title: "Notes",
  stack: { segment: "note", isName: (name) => NoteName.safeParse(name).success },
};

/** The note's template: its spec in the Stackroom metadata block (healing reads it back), one SSM parameter. */
export function noteTemplate(projectId: string, name: string, spec: NoteSpec): string {
  return JSON.stringify({
    AWSTemplateFormatVersion: "2010-09-09",
    Metadata: { Stackroom: { kind: NOTE, version: 1, spec } },
    Resources: { Note: { Type: "AWS::SSM::Parameter", Properties: { Name: `/stackroom/${projectId}/notes/${name}`, Type: "String", Value: spec.text } } },
  });
}

export function noteTags(projectId: string, name: string): Array<{ Key: string; Value: string }> {
  return [
    { Key: TAG_KEYS.project, Value: projectId },
    { Key: TAG_KEYS.kind, Value: NOTE },
    { Key: TAG_KEYS.name, Value: name },
  ];
}

function noteOperation(room: RoomContext, request: ChangeRequest<NoteChange>): Operation {
  const { project, actor, change } = request;
  const label = NOTE_FACTS.label(change.name);
  return {
    kind: NOTE,
    name: change.name,
    action: change.action,
    actor,
    plan(operationId, now, assumed) {
      const current = assumed ? assumed.current && StoredNote.parse(assumed.current) : room.store.getAs(NOTE, change.name, StoredNote);
      assertUnlocked(label, current?.resource);
      if (change.action === "create") {
        if (current && current.resource.status !== "deleted") throw new RoomError("conflict", `${label} exists already.`);
        const spec = { text: change.text };
        const fresh: Note = { name: change.name, spec, status: "creating", updatedAt: now };
        return { resource: lockResource(fresh, spec, "create", actor, operationId, now), appliedSpec: null };
      }
      if (!current || current.resource.status === "deleted") throw new RoomError("not_found", `There is no ${label}.`);
      const spec = change.action === "update" ? { text: change.text } : current.resource.spec;
      return { ...current, resource: lockResource(current.resource, spec, change.action, actor, operationId, now) };
    },
    describe: () => ({ message: `${actor} started to ${change.action} ${label}` }),
    async run(planned, operationId): Promise<OperationOutcome> {
      const gateway = room.gateway(project);
      const stack = stackName(project.id, NOTE, change.name);
      try {
        if (change.action === "delete") await gateway.deleteStack({ stackName: stack, operationId });
        else {
          const input = { stackName: stack, templateBody: noteTemplate(project.id, change.name, StoredNote.parse(planned).resource.spec), tags: noteTags(project.id, change.name), operationId };
          if (change.action === "create") await gateway.createStack(input);
          else await gateway.updateStack(input);
        }
        return { kind: "started" };
      } catch (err) {
        return refused(roomErrorFromAws(err, label, change.action));
      }
    },
  };
}

const noteModule = defineKind<NoteChange, StoredNote>({
  kind: NOTE,
  stored: StoredNote,
  change: NoteChange,
  spec: NoteSpec,
  nameOf: (change) => change.name,
  operation: noteOperation,
  summarize: (change) => (change.action === "update" ? `set the text to “${change.text}”` : change.action),
  retry: (stored) => (stored.failedSpec ? { action: "update", name: stored.resource.name, text: stored.failedSpec.text } : null),
  readSpec(templateBody) {
    try {
      return readStackroomMetadata(templateBody, NOTE, z.object({ spec: NoteSpec }))?.spec ?? null;
    } catch (err) {
      if (err instanceof TemplateMetadataError) return null;
      throw err;
    }
  },
  adopt: (_project: ProjectRecord, name, spec, state, now) => ({
    resource: { name, spec, status: state.status, statusReason: state.reason, updatedAt: now },
    appliedSpec: state.status === "ready" ? spec : null,
  }),
  invalid: (error) => new RoomError("invalid", `The note change is not valid: ${error.issues.map((i) => i.message).join("; ")}`),
});

/** Registers the note kind once per isolate: its row in the kind table, then its module in the room's registry. */
export function registerNoteKind(): void {
  if (!kindFacts(NOTE)) registerKind(NOTE, NOTE_FACTS);
  if (!kindModule(NOTE)) registerKindModule(noteModule);
}
