/** A confirmation dialog: nothing destructive happens on one click. */
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState, type ReactNode } from 'react';
import { ErrorAlert, useSubmit } from './api-error.js';

export function Confirm({
  visible,
  header,
  confirmText,
  children,
  onConfirm,
  onDismiss,
  disabled,
}: {
  visible: boolean;
  header: string;
  confirmText: string;
  children: ReactNode;
  /** Rejections are shown in the dialog, which then stays open. */
  onConfirm: () => Promise<void>;
  onDismiss: () => void;
  disabled?: boolean;
}) {
  const { busy, error, run } = useSubmit();
  const [shown, setShown] = useState(false);
  // Mounted only while open, so each dialog's controls are the only ones on the page.
  if (!visible) return null;
  const close = (): void => {
    setShown(false);
    onDismiss();
  };
  return (
    <Modal
      visible={visible}
      header={header}
      onDismiss={close}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={close}>
              Cancel
            </Button>
            <Button
              variant="primary"
              loading={busy}
              disabled={disabled}
              data-testid="confirm"
              onClick={() =>
                void run(async () => {
                  setShown(true);
                  await onConfirm();
                  close();
                })
              }
            >
              {confirmText}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <ErrorAlert error={shown ? error : undefined} />
        {children}
      </SpaceBetween>
    </Modal>
  );
}
